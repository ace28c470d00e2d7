"""Event pages for staff: the branch's events, a new event, an event's page (seats, waiting
list, the registrations the user sees, lessons) with the check-in form, and the posts from the
customer's page (register, invite) and the event's (cancel, lessons). Each view fetches
through the selectors, asks the one policy, calls one service, and redirects; a refused
service shows its message."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.forms import add_validation_errors
from crm.models import Branch
from customers.views.common import get_customer, portal_page
from loyalty.events import selectors, services
from loyalty.models import EventKind, Lesson
from loyalty.permissions_engagement import EngagementAction, allows, check
from loyalty.views.forms import CheckInForm, CustomerChoiceForm, EventForm, LessonCompleteForm, LessonForm


def _detail_url(pk: int) -> str:
    return reverse("loyalty:event-detail", args=[pk])


def _customer_back(pk: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('customer-detail', args=[pk])}#events-panel")


def _first_message(error: ValidationError) -> str:
    return error.messages[0] if error.messages else _("Please try again.")


@portal_page
def event_list(request):
    """The events of the user's branch (every branch's for head office), soonest first."""
    branch_id = getattr(getattr(request.user, "staff_profile", None), "branch_id", None)
    may_create = branch_id is not None and allows(
        request.user, EngagementAction.MANAGE_EVENTS, Branch(pk=branch_id)
    )
    return render(
        request,
        "loyalty/events/list.html",
        {
            "events": selectors.event_list(actor=request.user, upcoming_only=request.GET.get("all") != "1"),
            "may_create": may_create,
            "showing_all": request.GET.get("all") == "1",
        },
    )


@portal_page
def event_create(request):
    """A new event of the user's branch."""
    profile = getattr(request.user, "staff_profile", None)
    if profile is None or profile.branch_id is None:
        raise Http404
    branch = profile.branch
    check(request.user, EngagementAction.MANAGE_EVENTS, branch)
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(actor=request.user, branch=branch, **form.service_values())
        except ValidationError as error:
            add_validation_errors(form, error)
            for name in ("starts_at", "ends_at"):
                if name in getattr(error, "error_dict", {}):
                    form.add_error(
                        "day" if name == "starts_at" else "minutes", error.error_dict[name][0].messages[0]
                    )
        else:
            messages.success(request, _("Event created."))
            return HttpResponseRedirect(_detail_url(event.pk))
    return render(request, "loyalty/events/form.html", {"form": form}, status=400 if form.errors else 200)


def _render_detail(request, event, *, check_in_form=None, lesson_form=None, status=200):
    may_manage = allows(request.user, EngagementAction.MANAGE_EVENTS, event.branch)
    registrations = list(selectors.registration_list(actor=request.user, event=event))
    return render(
        request,
        "loyalty/events/detail.html",
        {
            "event": event,
            "registrations": registrations,
            "may_manage": may_manage,
            "lessons": list(event.lessons.all()) if event.kind == EventKind.COURSE else [],
            "is_course": event.kind == EventKind.COURSE,
            "seats_left": max(event.capacity - event.seated, 0),
            "check_in_form": check_in_form or CheckInForm(),
            "lesson_form": lesson_form or LessonForm(),
        },
        status=status,
    )


@portal_page
def event_detail(request, pk: int):
    """An event: seats, waiting list, the registrations of customers the user sees, check-in."""
    return _render_detail(request, selectors.event_get(actor=request.user, pk=pk))


@portal_page
@require_POST
def event_check_in(request, pk: int):
    """Check in the holder of a code (typed, or read from the customer's phone)."""
    event = selectors.event_get(actor=request.user, pk=pk)
    check(request.user, EngagementAction.MANAGE_EVENTS, event.branch)
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            registration = services.check_in(actor=request.user, event=event, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Checked in: code %(code)s.") % {"code": registration.check_in_code})
            return HttpResponseRedirect(f"{_detail_url(pk)}#check-in")
    return _render_detail(
        request, selectors.event_get(actor=request.user, pk=pk), check_in_form=form, status=400
    )


@portal_page
@require_POST
def lesson_add(request, pk: int):
    event = selectors.event_get(actor=request.user, pk=pk)
    check(request.user, EngagementAction.MANAGE_EVENTS, event.branch)
    form = LessonForm(request.POST)
    if form.is_valid():
        try:
            services.lesson_add(actor=request.user, event=event, title=form.cleaned_data["title"])
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Lesson added."))
            return HttpResponseRedirect(_detail_url(pk))
    return _render_detail(request, event, lesson_form=form, status=400)


def _chosen_customer(request) -> tuple:
    form = CustomerChoiceForm(request.POST)
    if not form.is_valid():
        raise Http404
    return get_customer(request, form.cleaned_data["customer"]), form.cleaned_data.get("channel") or "email"


@portal_page
@require_POST
def event_register(request, pk: int):
    """Register a customer (from their page) for the event: a seat, or the waiting list."""
    event = selectors.event_get(actor=request.user, pk=pk)
    customer, _channel = _chosen_customer(request)
    check(request.user, EngagementAction.REGISTER_FOR_EVENT, customer)
    try:
        registration = services.registration_create(actor=request.user, event=event, customer=customer)
    except ValidationError as error:
        messages.error(request, _first_message(error))
    else:
        if registration.status == "waitlisted":
            messages.warning(request, _("The event is full: the customer is on the waiting list."))
        else:
            messages.success(
                request, _("Registered. Check-in code: %(code)s.") % {"code": registration.check_in_code}
            )
    return _customer_back(customer.pk)


@portal_page
@require_POST
def event_invite(request, pk: int):
    """Invite a customer to the event through the contact-pressure policy; a refusal is shown."""
    event = selectors.event_get(actor=request.user, pk=pk)
    customer, channel = _chosen_customer(request)
    check(request.user, EngagementAction.REGISTER_FOR_EVENT, customer)
    try:
        _invitation, decision = services.event_invite(
            actor=request.user, event=event, customer=customer, channel=channel
        )
    except ValidationError as error:
        messages.error(request, _first_message(error))
    else:
        if decision is None:
            messages.info(request, _("This customer was already invited."))
        elif decision.allowed:
            messages.success(request, _("Invitation sent."))
        else:
            messages.error(request, _("Not invited: %(reason)s") % {"reason": decision.message})
    return _customer_back(customer.pk)


@portal_page
@require_POST
def registration_cancel(request, pk: int):
    registration = selectors.registration_get(actor=request.user, pk=pk)
    check(request.user, EngagementAction.REGISTER_FOR_EVENT, registration.customer)
    try:
        services.registration_cancel(actor=request.user, registration=registration)
    except ValidationError as error:
        messages.error(request, _first_message(error))
    else:
        messages.success(request, _("Registration cancelled."))
    if request.POST.get("back") == "customer":
        return _customer_back(registration.customer_id)
    return HttpResponseRedirect(_detail_url(registration.event_id))


@portal_page
@require_POST
def lesson_complete(request, pk: int):
    registration = selectors.registration_get(actor=request.user, pk=pk)
    check(request.user, EngagementAction.MANAGE_EVENTS, registration.event.branch)
    form = LessonCompleteForm(request.POST)
    lesson = Lesson.objects.filter(pk=form.cleaned_data["lesson"]).first() if form.is_valid() else None
    if lesson is None:
        raise Http404
    try:
        services.lesson_complete(actor=request.user, registration=registration, lesson=lesson)
    except ValidationError as error:
        messages.error(request, _first_message(error))
    else:
        messages.success(request, _("Lesson recorded."))
    return HttpResponseRedirect(_detail_url(registration.event_id))
