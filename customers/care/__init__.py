"""Relationship care: follow-ups on a schedule, life-event triggers, the RM's worklist,
appointments and reminders.

    periods     the cycle of a contact plan on a given day
    generation  the daily set-based run: plan follow-ups, triggers, reassignment, overdue
    triggers    the SQL of each life-event trigger
    reasons     why a follow-up exists, in words (from codes and non-identifying details)
    selectors   the worklist, the calendar, the notifications (restricted by the one policy)
    services    complete, reschedule, book an appointment, configure plans and triggers
    reminders   the morning digest: a notification and an e-mail per RM
    ics         iCalendar (RFC 5545) of a user's appointments
    tasks       Celery entry points
"""
