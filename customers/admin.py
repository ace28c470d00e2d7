"""Admin for customer data and the customers app's reference data.

Administrators manage reference data (segmentation rules, exchange rates), not customers:
every page about customers is restricted by compliance.access.restrict, so a superuser sees
no customer without a grant, exactly as on every other surface. Sensitive values appear only
through RecordView (built for a whole page at once), masked unless the user may see them in
clear; no encrypted field is ever rendered from the model directly, and no form edits one.
Customer data is read-only here: changes go through the services, which admin actions call.
Edits of reference data are audited by compliance (each admin log entry becomes a
`config.changed` event); activating or creating a rule version is audited by its service.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from compliance import access
from compliance.access import RecordView
from compliance.admin import CappedCountPaginator
from compliance.masking import mask
from customers import permissions, segmentation, services
from customers.models import (
    BookDelegation,
    Customer,
    CustomerEvent,
    CustomerKind,
    CustomerStatus,
    ExchangeRate,
    Holding,
    ImportJob,
    Interaction,
    MergeRecord,
    Need,
    Relationship,
    RevealGrant,
    SegmentOverride,
    SegmentRule,
    SegmentRuleSet,
)
from customers.selectors import customer_search

MASKED_SUFFIX = _("(masked)")


def _visible_customers(user):
    return access.restrict(Customer.objects.all(), user)


def _shown(view: RecordView | None, name: str) -> str:
    """A sensitive field as `view`'s user may see it, marked when masked."""
    if view is None:
        return "-"
    value = view.field(name)
    if not value.text:
        return "-"
    return f"{value.text} {MASKED_SUFFIX}" if value.masked else value.text


def _sees_everything_in_clear(view: RecordView | None) -> bool:
    return view is not None and view.sees_all


class RecordViewChangeList(ChangeList):
    """Builds the RecordViews of the page's customers in one go (no query per row)."""

    def get_results(self, request):
        super().get_results(request)
        self.model_admin.attach_record_views(request, list(self.result_list))


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CustomerDataAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only admin of rows that belong to customers.

    `customer_paths` name the foreign keys to Customer; a row is listed only if the user may
    see every customer it names. Each row gets `_record_views` ({path: RecordView}) for its
    customers, so sensitive columns are masked per the policy.
    """

    customer_paths: tuple[str, ...] = ("customer",)
    show_full_result_count = False
    paginator = CappedCountPaginator

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        for path in self.customer_paths:
            queryset = queryset.filter(**{f"{path}__in": _visible_customers(request.user)})
        return queryset.select_related(*self.customer_paths)

    def get_changelist(self, request, **kwargs):
        return RecordViewChangeList

    def attach_record_views(self, request, rows) -> None:
        customers = {
            getattr(row, path).pk: getattr(row, path) for row in rows for path in self.customer_paths
        }
        views = {view.obj.pk: view for view in RecordView.for_objects(request.user, customers.values())}
        for row in rows:
            row._record_views = {path: views[getattr(row, path).pk] for path in self.customer_paths}

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            self.attach_record_views(request, [obj])
        return obj

    @staticmethod
    def record_view(obj, path: str = "customer") -> RecordView | None:
        return getattr(obj, "_record_views", {}).get(path)


# ---------------------------------------------------------------------------------------------
# Customers
# ---------------------------------------------------------------------------------------------


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

    def _profile_field(self, obj, name: str, kind: str) -> str:
        return _shown(self._view(obj), name) if obj.kind == kind else "-"

    def _view(self, obj) -> RecordView | None:
        return self.record_view(obj, "customer")

    @admin.display(description=_("ID / registration number"))
    def id_number_shown(self, obj) -> str:
        return _shown(self._view(obj), "id_number")

    @admin.display(description=_("phone"))
    def phone_shown(self, obj) -> str:
        return _shown(self._view(obj), "phone")

    @admin.display(description=_("e-mail"))
    def email_shown(self, obj) -> str:
        return _shown(self._view(obj), "email")

    @admin.display(description=_("address"))
    def address_shown(self, obj) -> str:
        return _shown(self._view(obj), "address")

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
        return _shown(self._view(obj), "aum")

    # Actions call the services; each customer is checked as the API checks it.

    @admin.action(description=_("Recompute assets under management from holdings"))
    def refresh_aum(self, request, queryset):
        changed = services.customers_refresh_aum(customer_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, ngettext("%(count)d customer updated.", "%(count)d customers updated.",
                                            changed) % {"count": changed}, messages.SUCCESS)

    def _set_status(self, request, queryset, status: str) -> None:
        customers = list(queryset)
        views = RecordView.for_objects(request.user, customers)
        may_change = permissions.has_customer_permission(request.user, permissions.CHANGE)
        changed = refused = 0
        for view in views:
            if not (may_change and _sees_everything_in_clear(view)):
                refused += 1
                continue
            try:
                if services.customer_update(actor=request.user, customer=view.obj, fields={"status": status}):
                    changed += 1
            except ValidationError:
                refused += 1
        if changed:
            self.message_user(request, ngettext("%(count)d customer changed.", "%(count)d customers changed.",
                                                changed) % {"count": changed}, messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                ngettext("%(count)d customer was not changed: you may change only customers whose "
                         "details you see in clear, with the change permission.",
                         "%(count)d customers were not changed: you may change only customers whose "
                         "details you see in clear, with the change permission.", refused)
                % {"count": refused},
                messages.ERROR,
            )

    @admin.action(description=_("Mark as dormant"))
    def mark_dormant(self, request, queryset):
        self._set_status(request, queryset, CustomerStatus.DORMANT)

    @admin.action(description=_("Mark as active"))
    def mark_active(self, request, queryset):
        self._set_status(request, queryset, CustomerStatus.ACTIVE)


@admin.register(Holding)
class HoldingAdmin(CustomerDataAdmin):
    list_display = ["customer", "product_type", "product_name", "account_shown", "balance_shown",
                    "currency", "status", "opened_on"]
    list_filter = ["product_type", "status"]
    ordering = ["-pk"]
    fields = ["customer", "external_reference", "product_type", "product_name", "account_shown",
              "balance_shown", "currency", "status", "opened_on", "matures_on", "updated_at"]
    readonly_fields = fields

    def _aum_clear(self, obj) -> bool:
        view = self.record_view(obj)
        return view is not None and view.is_clear("aum")

    @admin.display(description=_("account number"))
    def account_shown(self, obj) -> str:
        if self._aum_clear(obj):
            return obj.account_number or "-"
        return f"****{obj.account_last4} {MASKED_SUFFIX}" if obj.account_last4 else "-"

    @admin.display(description=_("balance"))
    def balance_shown(self, obj) -> str:
        if self._aum_clear(obj):
            return f"{obj.balance:.2f}"
        return f"{mask(obj.balance, 'amount')} {MASKED_SUFFIX}"


def _free_text_shown(admin_obj: CustomerDataAdmin, obj, value) -> str:
    if not value:
        return "-"
    if _sees_everything_in_clear(admin_obj.record_view(obj)):
        return value
    return f"{mask(value, 'text')} {MASKED_SUFFIX}"


@admin.register(Need)
class NeedAdmin(CustomerDataAdmin):
    list_display = ["customer", "need_type", "status", "recorded_by", "recorded_at"]
    list_filter = ["need_type", "status"]
    list_select_related = ["customer", "recorded_by"]
    ordering = ["-recorded_at"]
    fields = ["customer", "need_type", "status", "note_shown", "recorded_by", "recorded_at"]
    readonly_fields = fields

    @admin.display(description=_("note"))
    def note_shown(self, obj) -> str:
        return _free_text_shown(self, obj, obj.note)


@admin.register(Relationship)
class RelationshipAdmin(CustomerDataAdmin):
    customer_paths = ("from_customer", "to_customer")
    list_display = ["from_customer", "kind", "to_customer", "role", "share_percent"]
    list_filter = ["kind"]
    ordering = ["-pk"]
    fields = ["from_customer", "kind", "to_customer", "role", "share_percent", "created_at"]
    readonly_fields = fields


@admin.register(Interaction)
class InteractionAdmin(CustomerDataAdmin):
    list_display = ["customer", "occurred_at", "channel", "interaction_type", "summary_shown", "staff",
                    "system"]
    list_filter = ["channel", "interaction_type"]
    list_select_related = ["customer", "staff"]
    ordering = ["-occurred_at"]
    fields = ["customer", "occurred_at", "channel", "interaction_type", "summary_shown", "staff",
              "system", "external_reference", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("summary"))
    def summary_shown(self, obj) -> str:
        return _free_text_shown(self, obj, obj.summary)


@admin.register(SegmentOverride)
class SegmentOverrideAdmin(CustomerDataAdmin):
    list_display = ["customer", "segment", "expires_on", "created_by", "created_at", "ended_at"]
    list_filter = ["segment"]
    list_select_related = ["customer", "created_by"]
    ordering = ["-created_at"]
    fields = ["customer", "segment", "reason", "expires_on", "created_by", "created_at", "ended_at"]
    readonly_fields = fields


@admin.register(CustomerEvent)
class CustomerEventAdmin(CustomerDataAdmin):
    list_display = ["customer", "kind", "actor", "occurred_at"]
    list_filter = ["kind"]
    list_select_related = ["customer", "actor"]
    ordering = ["-occurred_at"]
    fields = ["customer", "kind", "data", "actor", "occurred_at"]
    readonly_fields = fields


@admin.register(RevealGrant)
class RevealGrantAdmin(CustomerDataAdmin):
    list_display = ["user", "customer", "fields_revealed", "granted_at", "expires_at"]
    list_select_related = ["customer", "user"]
    ordering = ["-granted_at"]
    fields = ["user", "customer", "fields_revealed", "purpose", "granted_at", "expires_at"]
    readonly_fields = fields

    @admin.display(description=_("fields"))
    def fields_revealed(self, obj) -> str:
        return ", ".join(obj.fields)


@admin.register(MergeRecord)
class MergeRecordAdmin(CustomerDataAdmin):
    customer_paths = ("survivor", "merged")
    list_display = ["merged", "survivor", "merged_by", "merged_at", "reversed_at"]
    list_select_related = ["merged", "survivor", "merged_by"]
    ordering = ["-merged_at"]
    fields = ["merged", "survivor", "moved", "merged_by", "merged_at", "reversed_by", "reversed_at"]
    readonly_fields = fields


@admin.register(BookDelegation)
class BookDelegationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Delegations name staff, not customers. They are created by branch managers in the portal
    (delegation_create); here they can be ended through delegation_end."""

    list_display = ["relationship_manager", "delegate", "starts_on", "ends_on", "reason", "revoked_at"]
    list_select_related = ["relationship_manager", "delegate"]
    list_filter = ["starts_on"]
    ordering = ["-starts_on"]
    fields = ["relationship_manager", "delegate", "starts_on", "ends_on", "reason", "created_by",
              "created_at", "revoked_at"]
    readonly_fields = fields
    actions = ["end_delegations"]

    @admin.action(description=_("End the selected delegations now"))
    def end_delegations(self, request, queryset):
        ended = 0
        try:
            for delegation in queryset.filter(revoked_at__isnull=True):
                services.delegation_end(actor=request.user, delegation=delegation)
                ended += 1
        except PermissionDenied as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
        if ended:
            self.message_user(request, ngettext("%(count)d delegation ended.", "%(count)d delegations ended.",
                                                ended) % {"count": ended}, messages.SUCCESS)


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Imports without their content: the uploaded file holds customer data."""

    list_display = ["file_name", "kind", "status", "rows_total", "rows_created", "rows_updated",
                    "rows_failed", "created_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["created_by"]
    ordering = ["-created_at"]
    fields = ["file_name", "kind", "status", "home_branch", "rows_total", "rows_processed", "rows_created",
              "rows_updated", "rows_failed", "errors", "failure_reason", "created_by", "created_at",
              "finished_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")


# ---------------------------------------------------------------------------------------------
# Reference data: segmentation rules and exchange rates
# ---------------------------------------------------------------------------------------------


class SegmentRuleForm(forms.ModelForm):
    """A rule, checked by customers.segmentation.validate_rule (conditions normalised)."""

    conditions = forms.JSONField(
        required=False, initial=list,
        help_text=_('A list of {"metric": ..., "op": ..., "value": ...}; empty for the default rule.'),
    )

    class Meta:
        model = SegmentRule
        fields = ["kind", "segment", "priority", "conditions"]

    def clean(self):
        cleaned = super().clean()
        if {"kind", "segment"} <= set(cleaned):
            try:
                cleaned["conditions"] = segmentation.validate_rule(
                    rule_set=self.instance.rule_set if self.instance.rule_set_id else None,
                    kind=cleaned["kind"], segment=cleaned["segment"], conditions=cleaned.get("conditions"),
                )
            except ValidationError as error:
                for field, messages_ in error.message_dict.items():
                    self.add_error(None if field == "rule_set" else field, messages_)
        return cleaned


class SegmentRuleInline(admin.TabularInline):
    model = SegmentRule
    form = SegmentRuleForm
    extra = 0
    ordering = ["kind", "priority"]

    def _editable(self, obj) -> bool:
        # The active version is frozen: editing it would change what placed customers where.
        return obj is None or not obj.is_active

    def has_add_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(SegmentRuleSet)
class SegmentRuleSetAdmin(admin.ModelAdmin):
    """Versions of the segmentation rules.

    A new version starts as a copy of another (the "Create a new version from this one"
    action; the add page copies the active version), is edited while inactive and is then
    activated with the "Activate this version" action. The active version cannot be edited.
    """

    list_display = ["version", "is_active", "note", "rule_count", "created_by", "created_at"]
    list_select_related = ["created_by"]
    ordering = ["-version"]
    fields = ["version", "is_active", "note", "created_by", "created_at"]
    readonly_fields = ["version", "is_active", "created_by", "created_at"]
    inlines = [SegmentRuleInline]
    actions = ["activate_version", "create_version"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def response_add(self, request, obj, post_url_continue=None):
        # Straight to the new version's rules: that is what one adds a version for.
        self.message_user(request, _("Version %(version)s created from the active rules; edit them, then "
                                     "activate it.") % {"version": obj.version}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:customers_segmentruleset_change", args=[obj.pk]))

    @admin.display(description=_("rules"), ordering="rule_total")
    def rule_count(self, obj) -> int:
        return obj.rule_total

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(rule_total=Count("rules"))

    def get_fields(self, request, obj=None):
        return ["note"] if obj is None else self.fields

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def save_model(self, request, obj, form, change):
        if not change:
            # A new version is made by the service: next number, a copy of the active rules, audit.
            created = segmentation.segment_rule_set_create_version(actor=request.user, note=obj.note)
            for name in ("pk", "version", "is_active", "note", "created_by_id", "created_at"):
                setattr(obj, name, getattr(created, name))
            obj._state.adding = False
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Activate this version"), permissions=["change"])
    def activate_version(self, request, queryset):
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            self.message_user(request, _("Choose exactly one version to activate."), messages.ERROR)
            return
        try:
            rule_set = segmentation.segment_rule_set_activate(actor=request.user, rule_set=chosen[0])
        except PermissionDenied as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
            return
        self.message_user(request, _("Version %(version)s is now active; customers move at the next "
                                     "recomputation.") % {"version": rule_set.version}, messages.SUCCESS)

    @admin.action(description=_("Create a new version from this one"), permissions=["change"])
    def create_version(self, request, queryset):
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            self.message_user(request, _("Choose exactly one version to copy."), messages.ERROR)
            return None
        try:
            rule_set = segmentation.segment_rule_set_create_version(
                actor=request.user, from_rule_set=chosen[0]
            )
        except PermissionDenied as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return None
        self.message_user(request, _("Version %(version)s created as a copy of version %(source)s.")
                          % {"version": rule_set.version, "source": chosen[0].version}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:customers_segmentruleset_change", args=[rule_set.pk]))


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "rate", "as_of"]
    ordering = ["currency"]
    search_fields = ["=currency"]
    fields = ["currency", "rate", "as_of"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # A rate that disappears makes holdings in that currency count as zero in AUM.
        return False


__all__ = ["CustomerAdmin", "SegmentRuleSetAdmin"]
