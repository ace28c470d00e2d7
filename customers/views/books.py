"""Books: the branch manager's page of relationship managers, their book sizes, moving whole
books and delegating them while a relationship manager is away."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.forms import add_validation_errors
from crm.roles import Role
from crm.selectors import staff_in_branch
from customers import permissions, selectors, services
from customers.forms import BookReassignForm, DelegationForm
from customers.models import BookDelegation
from customers.permissions import CustomerAction
from customers.views.common import portal_page

DELEGATION_DAYS_DEFAULT = 7


def _books_context(request, *, forms: dict | None = None) -> dict:
    branch_id = permissions.user_branch_id(request.user)
    managers = list(staff_in_branch(branch_id, Role.RELATIONSHIP_MANAGER))
    sizes = dict(
        selectors.customer_queryset().filter(relationship_manager__in=managers)
        .values("relationship_manager").annotate(customers=Count("pk"))
        .values_list("relationship_manager", "customers")
    )
    unassigned = selectors.customer_queryset().filter(
        home_branch_id=branch_id, relationship_manager__isnull=True
    ).count()
    today = timezone.localdate()
    delegations = (
        BookDelegation.objects.filter(relationship_manager__staff_profile__branch_id=branch_id,
                                      revoked_at__isnull=True, ends_on__gte=today)
        .select_related("relationship_manager", "delegate")
        .order_by("starts_on", "pk")
    )
    forms = forms or {}
    return {
        "books": [{"manager": manager, "customers": sizes.get(manager.pk, 0)} for manager in managers],
        "unassigned": unassigned,
        "delegations": [{"delegation": item, "is_current": item.starts_on <= today} for item in delegations],
        "book_form": forms.get("book_form") or BookReassignForm(branch_id=branch_id),
        "delegation_form": forms.get("delegation_form") or DelegationForm(
            branch_id=branch_id,
            initial={"starts_on": today, "ends_on": today + datetime.timedelta(days=DELEGATION_DAYS_DEFAULT)},
        ),
    }


def _require_books(request) -> None:
    permissions.check(request.user, CustomerAction.MANAGE_BOOKS)


@portal_page
@require_GET
def customer_books(request):
    """The branch's relationship managers with their book sizes; move books and delegate."""
    _require_books(request)
    return render(request, "customers/books.html", _books_context(request))


@portal_page
@require_POST
def customer_book_reassign(request):
    _require_books(request)
    form = BookReassignForm(request.POST, branch_id=permissions.user_branch_id(request.user))
    if form.is_valid():
        source, target = form.cleaned_data["from_manager"], form.cleaned_data["to_manager"]
        try:
            result = services.book_reassign(actor=request.user, from_manager=source, to_manager=target)
        except ValidationError as error:
            add_validation_errors(form, error)
        except PermissionDenied:
            form.add_error(
                None, _("This book holds customers of another branch; ask head office to move it.")
            )
        else:
            messages.success(request, _("%(count)s customers moved to %(name)s.") % {
                "count": result.moved, "name": target.get_full_name() or target.get_username()})
            return redirect("customer-books")
    return render(request, "customers/books.html", _books_context(request, forms={"book_form": form}))


@portal_page
@require_POST
def customer_delegation_create(request):
    _require_books(request)
    form = DelegationForm(request.POST, branch_id=permissions.user_branch_id(request.user))
    if form.is_valid():
        try:
            services.delegation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Delegation created."))
            return redirect("customer-books")
    return render(request, "customers/books.html", _books_context(request, forms={"delegation_form": form}))


@portal_page
@require_POST
def customer_delegation_end(request, delegation_id: int):
    _require_books(request)
    delegation = BookDelegation.objects.filter(
        pk=delegation_id,
        relationship_manager__staff_profile__branch_id=permissions.user_branch_id(request.user),
    ).first()
    if delegation is None:
        raise Http404
    services.delegation_end(actor=request.user, delegation=delegation)
    messages.success(request, _("Delegation ended."))
    return redirect("customer-books")
