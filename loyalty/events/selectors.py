"""Reads of the events, restricted to what the actor may see.

Events themselves hold no personal data: staff see their own branch's events (head office:
every branch's). Registrations and invitations are reached through their customer: the
customer's policy (CustomerChildPolicy) decides which the actor sees; counts are shown
whole.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from compliance import access
from customers import permissions
from loyalty.models import Event, EventInvitation, EventRegistration, RegistrationStatus


def _with_counts(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        seated=Count(
            "registrations",
            filter=Q(registrations__status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED]),
        ),
        waitlisted=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)),
        attended=Count("registrations", filter=Q(registrations__status=RegistrationStatus.ATTENDED)),
    )


def event_list(*, actor, upcoming_only: bool = False) -> QuerySet:
    """The events `actor` sees (their branch's; every branch's for head office), soonest first,
    with seat, waiting-list and attendance counts."""
    queryset = Event.objects.select_related("branch")
    if not permissions.is_head_office(actor):
        branch_id = permissions.user_branch_id(actor)
        if branch_id is None or not getattr(actor, "is_authenticated", False):
            return Event.objects.none()
        queryset = queryset.filter(branch_id=branch_id)
    if upcoming_only:
        queryset = queryset.filter(ends_at__gt=timezone.now())
    return _with_counts(queryset).order_by("starts_at", "pk")


def event_get(*, actor, pk: int) -> Event:
    """One event `actor` sees, with its counts; Http404 otherwise."""
    event = event_list(actor=actor).filter(pk=pk).first()
    if event is None:
        raise Http404
    return event


def registration_list(*, actor, event: Event) -> QuerySet:
    """The event's registrations of customers `actor` sees, in the order they registered."""
    queryset = (
        EventRegistration.objects.filter(event=event)
        .select_related("customer")
        .order_by("registered_at", "pk")
    )
    return access.restrict(queryset, actor)


def registration_get(*, actor, pk: int) -> EventRegistration:
    """A registration of a customer `actor` sees, of an event they see; Http404 otherwise."""
    registration = (
        access.restrict(EventRegistration.objects.select_related("customer", "event__branch"), actor)
        .filter(pk=pk)
        .first()
    )
    if registration is None or not event_list(actor=actor).filter(pk=registration.event_id).exists():
        raise Http404
    return registration


def customer_registrations(*, customer) -> QuerySet:
    """A customer's registrations, newest first (the caller has fetched the customer through
    the policy)."""
    return (
        EventRegistration.objects.filter(customer=customer)
        .select_related("event")
        .order_by("-registered_at", "-pk")
    )


def customer_invitations(*, customer) -> QuerySet:
    return (
        EventInvitation.objects.filter(customer=customer)
        .select_related("event")
        .order_by("-invited_at", "-pk")
    )
