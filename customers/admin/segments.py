"""Admin of the segmentation rules: versions, edited while inactive, activated by an action.

Every save goes through customers.segmentation's services, which check who may change the
configuration, validate, and audit; this module only parses the forms and reports.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from customers import permissions, segmentation
from customers.admin.base import AuditedByServiceMixin
from customers.models import SegmentRule, SegmentRuleSet
from customers.permissions import SettingsAction


def may_configure(request) -> bool:
    """Whether the user may change the segmentation rules: the policy's answer, as for the
    services behind every save."""
    return permissions.allows(request.user, SettingsAction.SEGMENT_RULES)


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
        return self._editable(obj) and may_configure(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and may_configure(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and may_configure(request)


@admin.register(SegmentRuleSet)
class SegmentRuleSetAdmin(AuditedByServiceMixin, admin.ModelAdmin):
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

    def has_add_permission(self, request) -> bool:
        return may_configure(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return may_configure(request)

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
            # A new version is made by the service: next number, a copy of the active rules.
            saved = segmentation.segment_rule_set_create_version(actor=request.user, note=obj.note)
        else:
            saved = segmentation.segment_rule_set_update(
                actor=request.user, rule_set=obj, note=form.cleaned_data.get("note", obj.note)
            )
        for name in ("pk", "version", "is_active", "note", "created_by_id", "created_at"):
            setattr(obj, name, getattr(saved, name))
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        # The formset only collects what was submitted; the service validates and saves it.
        rules = formset.save(commit=False)
        if rules or formset.deleted_objects:
            segmentation.segment_rules_save(
                actor=request.user, rule_set=form.instance, rules=rules, deleted=formset.deleted_objects
            )

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
