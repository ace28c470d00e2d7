"""Admin of customers: read-only, searched like the portal, sensitive details through RecordView."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from compliance import access
from compliance.access import RecordView
from customers import services
from customers.admin.base import CustomerDataAdmin, shown
from customers.models import Customer, CustomerKind, CustomerStatus
from customers.permissions import CustomerAction
from customers.selectors import customer_search


@admin.register(Customer)
class CustomerAdmin(CustomerDataAdmin):
    customer_paths = ()
    list_display = ["number", "display_name", "kind", "segment", "status", "home_branch",
                    "relationship_manager", "phone_shown"]
    list_filter = ["kind", "segment", "status"]
    list_select_related = ["home_branch", "relationship_manager"]
    # The search is customers.selectors.customer_search (see get_search_results); this only
    # turns the search box on.
    search_fields = ["number"]
    search_help_text = _("Customer number, name, or an exact phone number, e-mail or ID number.")
    ordering = ["number"]
    actions = ["refresh_aum", "mark_dormant", "mark_active"]
    fieldsets = [
        (None, {"fields": ["number", "kind", "status", "display_name", "home_branch",
                           "relationship_manager", "external_reference", "since", "merged_into"]}),
        (_("Segment"), {"fields": ["segment", "segment_since"]}),
        (_("Sensitive details"), {"fields": ["id_number_shown", "phone_shown", "email_shown",
                                             "address_shown", "date_of_birth_shown",
                                             "annual_income_shown", "annual_revenue_shown", "aum_shown"]}),
        (_("Contact"), {"fields": ["last_contact_at", "is_vulnerable", "do_not_contact"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]
    readonly_fields = [
        "number", "kind", "status", "display_name", "home_branch", "relationship_manager",
        "external_reference", "since", "merged_into", "segment", "segment_since",
        "id_number_shown", "phone_shown", "email_shown", "address_shown", "date_of_birth_shown",
        "annual_income_shown", "annual_revenue_shown", "aum_shown", "last_contact_at",
        "is_vulnerable", "do_not_contact", "created_at", "updated_at",
    ]

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request).select_related(
            "home_branch", "relationship_manager", "individual", "corporate"
        )
        return access.restrict(queryset, request.user)

    def attach_record_views(self, request, rows) -> None:
        for view in RecordView.for_objects(request.user, rows):
            view.obj._record_views = {"customer": view}

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return customer_search(actor=request.user, term=term, base=queryset), False

    def _view(self, obj) -> RecordView | None:
        return self.record_view(obj, "customer")

    def _profile_field(self, obj, name: str, kind: str) -> str:
        return shown(self._view(obj), name) if obj.kind == kind else "-"

    @admin.display(description=_("ID / registration number"))
    def id_number_shown(self, obj) -> str:
        return shown(self._view(obj), "id_number")

    @admin.display(description=_("phone"))
    def phone_shown(self, obj) -> str:
        return shown(self._view(obj), "phone")

    @admin.display(description=_("e-mail"))
    def email_shown(self, obj) -> str:
        return shown(self._view(obj), "email")

    @admin.display(description=_("address"))
    def address_shown(self, obj) -> str:
        return shown(self._view(obj), "address")

    @admin.display(description=_("date of birth"))
    def date_of_birth_shown(self, obj) -> str:
        return self._profile_field(obj, "date_of_birth", CustomerKind.INDIVIDUAL)

    @admin.display(description=_("annual income"))
    def annual_income_shown(self, obj) -> str:
        return self._profile_field(obj, "annual_income", CustomerKind.INDIVIDUAL)

    @admin.display(description=_("annual revenue"))
    def annual_revenue_shown(self, obj) -> str:
        return self._profile_field(obj, "annual_revenue", CustomerKind.CORPORATE)

    @admin.display(description=_("assets under management"))
    def aum_shown(self, obj) -> str:
        return shown(self._view(obj), "aum")

    # Actions call the services; which customers may be changed is the policy's answer.

    @admin.action(description=_("Recompute assets under management from holdings"))
    def refresh_aum(self, request, queryset):
        selected = len(queryset)
        changeable = access.restrict(queryset, request.user, CustomerAction.CHANGE)
        allowed = list(changeable.values_list("pk", flat=True))
        changed = services.customers_refresh_aum(customer_ids=allowed)
        self.message_user(request, ngettext("%(count)d customer updated.", "%(count)d customers updated.",
                                            changed) % {"count": changed}, messages.SUCCESS)
        self._report_refused(request, selected - len(allowed))

    def _set_status(self, request, queryset, status: str) -> None:
        selected = len(queryset)
        changed = unchanged = invalid = 0
        for customer in access.restrict(queryset, request.user, CustomerAction.CHANGE):
            try:
                if services.customer_update(actor=request.user, customer=customer, fields={"status": status}):
                    changed += 1
                else:
                    unchanged += 1
            except ValidationError:
                invalid += 1
            except PermissionDenied:
                pass  # counted below with the customers the policy refused
        refused = selected - changed - unchanged - invalid
        if changed:
            self.message_user(request, ngettext("%(count)d customer changed.", "%(count)d customers changed.",
                                                changed) % {"count": changed}, messages.SUCCESS)
        self._report_refused(request, refused)
        if invalid:
            self.message_user(
                request,
                ngettext("%(count)d customer was not changed: the change is not valid for this customer.",
                         "%(count)d customers were not changed: the change is not valid for them.",
                         invalid) % {"count": invalid},
                messages.ERROR,
            )

    def _report_refused(self, request, refused: int) -> None:
        if refused:
            self.message_user(
                request,
                ngettext("%(count)d customer was not changed: you may not change this customer's details.",
                         "%(count)d customers were not changed: you may not change these customers' details.",
                         refused) % {"count": refused},
                messages.ERROR,
            )

    @admin.action(description=_("Mark as dormant"))
    def mark_dormant(self, request, queryset):
        self._set_status(request, queryset, CustomerStatus.DORMANT)

    @admin.action(description=_("Mark as active"))
    def mark_active(self, request, queryset):
        self._set_status(request, queryset, CustomerStatus.ACTIVE)
