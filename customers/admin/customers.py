"""Admin of customers: read-only, searched like the portal, sensitive details through RecordView.

The search box posts (customers/customer/search/): a name or customer number comes back as
`?q=`, while a phone, e-mail, ID or card number is sealed in the session and the change list
gets an opaque `?search=<token>`, as on the portal's customer list. Such a term sent as `?q=`
in a URL is refused with a message and never searched for.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, QueryDict
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from compliance import access
from compliance.access import RecordView
from customers import services
from customers.admin.base import CustomerDataAdmin, RecordViewChangeList, shown
from customers.models import Customer, CustomerKind, CustomerStatus
from customers.permissions import CustomerAction
from customers.selectors import SEARCH_TERMS, customer_search, is_identifier

SEARCH_TOKEN_VAR = "search"  # noqa: S105 - a query parameter's name
# What the change list's own links and the search form do not carry over.
_NOT_KEPT = ("q", SEARCH_TOKEN_VAR, "p", "csrfmiddlewaretoken")


class CustomerChangeList(RecordViewChangeList):
    """Keeps a sealed search's token in the list's links (sorting, filters, pages)."""

    def get_query_string(self, new_params=None, remove=None):
        token = getattr(self.model_admin_request, "_customer_search_token", None)
        if token:
            new_params = {SEARCH_TOKEN_VAR: token, **(new_params or {})}
        return super().get_query_string(new_params, remove)

    def __init__(self, request, *args, **kwargs):
        self.model_admin_request = request
        super().__init__(request, *args, **kwargs)


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
    change_list_template = "admin/customers/customer/change_list.html"
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

    def get_changelist(self, request, **kwargs):
        return CustomerChangeList

    def get_urls(self):
        search = self.admin_site.admin_view(self.search_view)
        return [path("search/", search, name="customers_customer_search"), *super().get_urls()]

    def _changelist_url(self, query: QueryDict) -> str:
        target = reverse("admin:customers_customer_changelist", current_app=self.admin_site.name)
        return f"{target}?{query.urlencode()}" if query else target

    def search_view(self, request):
        """The search box's POST: redirect to the change list with the term, or with a token
        for it when it is a phone, e-mail, ID or card number."""
        return require_POST(self._search)(request)

    def _search(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        query = QueryDict(mutable=True)
        for name, values in request.POST.lists():
            if name not in _NOT_KEPT:
                query.setlist(name, values)
        term = request.POST.get("q", "").strip()
        if term:
            if is_identifier(term):
                query[SEARCH_TOKEN_VAR] = SEARCH_TERMS.store(request.session, term)
            else:
                query["q"] = term
        return HttpResponseRedirect(self._changelist_url(query))

    def changelist_view(self, request, extra_context=None):
        if any(is_identifier(term.strip()) for term in request.GET.getlist("q")):
            messages.error(request, _(
                "Search for a phone number, e-mail or ID number with the search box: such terms are "
                "never sent in a web address. That search was not run."
            ))
            query = request.GET.copy()
            query.pop("q")
            return HttpResponseRedirect(self._changelist_url(query))
        token = request.GET.get(SEARCH_TOKEN_VAR)
        if token is not None:
            query = request.GET.copy()
            query.pop(SEARCH_TOKEN_VAR)
            term = SEARCH_TERMS.read(request.session, token)
            if term is None:
                messages.warning(request, _("That search has expired. Search again."))
                return HttpResponseRedirect(self._changelist_url(query))
            # The change list treats every parameter it does not know as a filter: it reads
            # the list without the token, and the term from here.
            request.GET = query
            request._customer_search_term, request._customer_search_token = term, token
        kept = QueryDict(mutable=True)
        for name, values in request.GET.lists():
            if name not in _NOT_KEPT:
                kept.setlist(name, values)
        context = {
            "search_kept": [(name, value) for name, values in kept.lists() for value in values],
            "search_sealed": getattr(request, "_customer_search_token", None) is not None,
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)

    def get_search_results(self, request, queryset, search_term):
        term = getattr(request, "_customer_search_term", None) or search_term.strip()
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
