"""Exclusive events and financial education.

services     create, invite, register (waiting list), cancel, check in, lessons
selectors    events and registrations, restricted to what the actor sees
eligibility  tiers and segments an event is for
earning      points for attendance and completed courses (and surveys)
tasks        Celery entry points
"""
