"""Pages of relationship care: complete or reschedule a follow-up, book an appointment, the
day and week calendar with its iCalendar download, the notification inbox.

A follow-up or appointment of a customer the user may not see answers 404 (the same as a
missing one); one the user sees but may not work answers 403.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.forms import add_validation_errors
from customers import permissions
from customers.care import ics, selectors
from customers.care import services as care
from customers.care.reasons import reason_text
from customers.forms.care import AppointmentForm, FollowUpCompleteForm, FollowUpRescheduleForm
from customers.models import Appointment, FollowUp
from customers.permissions import CustomerAction
from customers.views.common import get_customer, portal_page


def _follow_up(request, pk: int) -> FollowUp:
    try:
        follow_up = selectors.follow_up_get(user=request.user, pk=pk)
    except FollowUp.DoesNotExist:
        raise Http404 from None
    permissions.check(request.user, CustomerAction.WORK_FOLLOW_UP, follow_up.customer)
    return follow_up


def _home() -> str:
    return reverse("home")


@portal_page
@require_http_methods(["GET", "POST"])
def follow_up_complete(request, pk: int):
    """Record the outcome of a follow-up; it is logged on the customer's timeline."""
    follow_up = _follow_up(request, pk)
    customer = follow_up.customer
    form = FollowUpCompleteForm(request.POST or None, kind=customer.kind,
                                initial={"channel": follow_up.channel})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            care.follow_up_complete(
                actor=request.user, follow_up=follow_up, outcome=data["outcome"], notes=data["notes"],
                needs=data["needs"], next_step=data["next_step"], channel=data["channel"],
                reschedule_to=data["reschedule_to"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Follow-up with %(name)s completed.")
                             % {"name": customer.display_name})
            return HttpResponseRedirect(_home())
    return render(request, "customers/care/follow_up_complete.html", {
        "follow_up": follow_up, "customer": customer, "reason": reason_text(follow_up), "form": form,
        "may_ask": care.CONTACT_CHANNELS.get(follow_up.channel) is not None,
    }, status=400 if form.errors else 200)


@portal_page
@require_POST
def follow_up_contact(request, pk: int):
    """Ask the contact-pressure policy before calling the customer about a follow-up; the
    answer (and, when refused, why) shows on the completion page."""
    follow_up = _follow_up(request, pk)
    try:
        decision = care.follow_up_contact(actor=request.user, follow_up=follow_up,
                                          channel=request.POST.get("channel") or None)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        if decision.allowed:
            messages.success(request, _("You may contact %(name)s now; the contact is logged.")
                             % {"name": follow_up.customer.display_name})
        else:
            messages.error(request, _("Do not contact %(name)s now (%(why)s).")
                           % {"name": follow_up.customer.display_name, "why": decision.message})
    return HttpResponseRedirect(reverse("follow-up-complete", args=[follow_up.pk]))


@portal_page
@require_http_methods(["GET", "POST"])
def follow_up_reschedule(request, pk: int):
    """Move a follow-up to another day, with a reason."""
    follow_up = _follow_up(request, pk)
    form = FollowUpRescheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            care.follow_up_reschedule(actor=request.user, follow_up=follow_up,
                                      due_on=form.cleaned_data["due_on"], reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Follow-up rescheduled."))
            return HttpResponseRedirect(_home())
    return render(request, "customers/care/follow_up_reschedule.html", {
        "follow_up": follow_up, "customer": follow_up.customer, "reason": reason_text(follow_up),
        "form": form,
    }, status=400 if form.errors else 200)


@portal_page
@require_http_methods(["GET", "POST"])
def appointment_create(request, pk: int):
    """Book an appointment with the customer (optionally for one of their follow-ups)."""
    customer = get_customer(request, pk)
    permissions.check(request.user, CustomerAction.WORK_FOLLOW_UP, customer)
    follow_up = None
    follow_up_id = request.POST.get("follow_up") or request.GET.get("follow_up")
    if follow_up_id and str(follow_up_id).isdigit():
        follow_up = FollowUp.objects.filter(pk=int(follow_up_id), customer=customer).first()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    form = AppointmentForm(request.POST or None, initial={"day": tomorrow, "time": "10:00", "minutes": 60})
    if request.method == "POST" and form.is_valid():
        try:
            appointment = care.appointment_book(
                actor=request.user, customer=customer, starts_at=form.starts_at(),
                minutes=form.cleaned_data["minutes"], place=form.cleaned_data["place"], follow_up=follow_up,
            )
        except ValidationError as error:
            add_validation_errors(form, error)
            if "starts_at" in getattr(error, "error_dict", {}):
                form.add_error("day", error.error_dict["starts_at"][0].messages[0])
        else:
            messages.success(request, _("Appointment booked."))
            day = timezone.localtime(appointment.starts_at).date()
            return HttpResponseRedirect(f"{reverse('appointment-calendar')}?date={day.isoformat()}")
    return render(request, "customers/care/appointment_form.html", {
        "customer": customer, "follow_up": follow_up, "form": form,
    }, status=400 if form.errors else 200)


def _calendar_range(request) -> tuple[str, datetime.date, datetime.date]:
    view = "week" if request.GET.get("view") == "week" else "day"
    day = parse_date(request.GET.get("date") or "") if request.GET.get("date") else None
    day = day or timezone.localdate()
    if view == "week":
        first = day - datetime.timedelta(days=day.weekday())
        return view, first, first + datetime.timedelta(days=7)
    return view, day, day + datetime.timedelta(days=1)


def _bounds(first: datetime.date, last: datetime.date):
    return (timezone.make_aware(datetime.datetime.combine(first, datetime.time.min)),
            timezone.make_aware(datetime.datetime.combine(last, datetime.time.min)))


@portal_page
@require_GET
def calendar(request):
    """The user's appointments for a day or a week (?view=week&date=YYYY-MM-DD)."""
    try:
        view, first, last = _calendar_range(request)
    except ValueError:
        view, first, last = "day", timezone.localdate(), timezone.localdate() + datetime.timedelta(days=1)
    start, end = _bounds(first, last)
    appointments = list(selectors.appointments_between(user=request.user, start=start, end=end))
    days = []
    for offset in range((last - first).days):
        day = first + datetime.timedelta(days=offset)
        days.append({"day": day, "appointments": [
            appointment for appointment in appointments
            if timezone.localtime(appointment.starts_at).date() == day
        ]})
    step = datetime.timedelta(days=7 if view == "week" else 1)
    return render(request, "customers/care/calendar.html", {
        "view": view, "first": first, "last": last - datetime.timedelta(days=1), "days": days,
        "previous": first - step, "next": first + step, "today": timezone.localdate(),
    })


@portal_page
@require_GET
def calendar_ics(request):
    """The calendar page's appointments as an iCalendar file."""
    try:
        _view, first, last = _calendar_range(request)
    except ValueError:
        first = timezone.localdate()
        last = first + datetime.timedelta(days=1)
    start, end = _bounds(first, last)
    if request.GET.get("view") not in ("day", "week"):  # the download's default: the next 30 days
        start, end = _bounds(timezone.localdate(), timezone.localdate() + datetime.timedelta(days=30))
    body = ics.calendar_ics(selectors.appointments_between(user=request.user, start=start, end=end))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="appointments.ics"'
    return response


@portal_page
@require_POST
def appointment_cancel(request, pk: int):
    try:
        appointment = selectors.appointment_get(user=request.user, pk=pk)
    except Appointment.DoesNotExist:
        raise Http404 from None
    care.appointment_cancel(actor=request.user, appointment=appointment)
    messages.success(request, _("Appointment cancelled."))
    return HttpResponseRedirect(reverse("appointment-calendar"))


@portal_page
@require_http_methods(["GET", "POST"])
def notifications(request):
    """The user's notifications; POST marks them all read."""
    if request.method == "POST":
        care.notifications_mark_read(actor=request.user)
        return HttpResponseRedirect(reverse("notification-list"))
    return render(request, "customers/care/notifications.html", {
        "notifications": selectors.notifications_of(user=request.user)[:100],
    })
