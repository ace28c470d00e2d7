"""Reads of relationship care, restricted by the one policy: a user's worklist, one follow-up,
the calendar of appointments, the notification inbox.

The worklist holds the open follow-ups assigned to the user or to an RM whose book the user
covers today, of customers the user may work (WORK_FOLLOW_UP), each with the customer's open
offer suggestions (how many, and the first product by priority, read as subqueries); each
section is one query, whatever the number of follow-ups.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from compliance import access
from customers import permissions
from customers.care.reasons import reason_text
from customers.models import OPEN_STATUSES, Appointment, Customer, FollowUp, Notification
from customers.outreach.offers import open_offer_annotations

SECTION_LIMIT = 50
UPCOMING_DAYS = 14


@dataclass(frozen=True)
class WorklistItem:
    follow_up: FollowUp
    reason: str

    @property
    def customer(self) -> Customer:
        return self.follow_up.customer

    @property
    def open_offers(self) -> int:
        """How many open offer suggestions the customer has."""
        return getattr(self.follow_up, "open_offers", 0) or 0

    @property
    def top_offer(self) -> str:
        """The name of the customer's first open suggestion by priority ("" for none)."""
        return getattr(self.follow_up, "top_offer", None) or ""


@dataclass(frozen=True)
class Worklist:
    today: list[WorklistItem]
    overdue: list[WorklistItem]
    upcoming: list[WorklistItem]

    @property
    def is_empty(self) -> bool:
        return not (self.today or self.overdue or self.upcoming)


def _workable_customers(user) -> QuerySet:
    return access.restrict(Customer.objects.all(), user, permissions.CustomerAction.WORK_FOLLOW_UP)


def follow_ups_of(*, user) -> QuerySet:
    """Open follow-ups `user` works: assigned to them or to an RM whose book they cover today,
    of customers they may work, each with its customer's open offers (`open_offers`, `top_offer`)."""
    assignees = Q(assigned_to_id=user.pk)
    covered = permissions.delegated_managers(user)
    if covered:
        assignees |= Q(assigned_to_id__in=covered)
    return (FollowUp.objects.filter(assignees, status__in=OPEN_STATUSES)
            .filter(customer__in=_workable_customers(user).values("pk"))
            .select_related("customer").annotate(**open_offer_annotations()))


def _items(queryset: QuerySet) -> list[WorklistItem]:
    return [WorklistItem(follow_up=item, reason=reason_text(item)) for item in queryset[:SECTION_LIMIT]]


def follow_ups_filtered(*, user, when: str | None, today: datetime.date | None = None) -> QuerySet:
    """`follow_ups_of(user)` narrowed to "today", "overdue" or "upcoming" (None: all open)."""
    today = today or timezone.localdate()
    queryset = follow_ups_of(user=user)
    if when == "today":
        return queryset.filter(due_on=today).order_by("customer__display_name", "pk")
    if when == "overdue":
        return queryset.filter(due_on__lt=today).order_by("due_on", "pk")
    if when == "upcoming":
        return queryset.filter(
            due_on__gt=today, due_on__lte=today + datetime.timedelta(days=UPCOMING_DAYS)
        ).order_by("due_on", "pk")
    return queryset.order_by("due_on", "pk")


def worklist(*, user, today: datetime.date | None = None) -> Worklist:
    """The user's worklist: due today, overdue, upcoming (the next two weeks), each with its
    reason and the customer's open offers; three queries."""
    today = today or timezone.localdate()
    return Worklist(
        today=_items(follow_ups_filtered(user=user, when="today", today=today)),
        overdue=_items(follow_ups_filtered(user=user, when="overdue", today=today)),
        upcoming=_items(follow_ups_filtered(user=user, when="upcoming", today=today)),
    )


def follow_up_get(*, user, pk: int) -> FollowUp:
    """One follow-up of a customer `user` may see. Raise FollowUp.DoesNotExist otherwise (the
    same for a missing one)."""
    return (access.restrict(FollowUp.objects.select_related("customer"), user)
            .annotate(**open_offer_annotations()).get(pk=pk))


def appointments_between(*, user, start: datetime.datetime, end: datetime.datetime) -> QuerySet:
    """`user`'s appointments starting in [start, end), not cancelled, of customers they see."""
    return (access.restrict(Appointment.objects.all(), user)
            .filter(staff=user, starts_at__gte=start, starts_at__lt=end, cancelled_at__isnull=True)
            .select_related("customer").order_by("starts_at", "pk"))


def appointment_get(*, user, pk: int) -> Appointment:
    """One of `user`'s appointments. Raise Appointment.DoesNotExist otherwise."""
    return access.restrict(Appointment.objects.select_related("customer"), user).get(pk=pk, staff=user)


def notifications_of(*, user) -> QuerySet:
    """The user's notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def notifications_unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, is_read=False).count()
