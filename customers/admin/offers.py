"""Admin of suitable offers: the product catalogue and the offer rules (configuration, saved
through customers.outreach.offers, which validates and audits them; the forms ask the same
validation so a bad setting re-displays with its message) and the suggestions, read-only,
restricted to the customers the user sees, the decision note through the trust layer."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from customers import permissions
from customers.admin.base import AuditedByServiceMixin, CustomerDataAdmin, shown
from customers.models import OfferRule, Product, Suggestion
from customers.outreach import offers
from customers.outreach.offers.catalogue import product_validate
from customers.outreach.offers.rules import rule_validate
from customers.permissions import SettingsAction


class _ConfiguredByServiceAdmin(AuditedByServiceMixin, admin.ModelAdmin):
    settings_action: str = ""

    def has_add_permission(self, request) -> bool:
        return permissions.allows(request.user, self.settings_action)

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.allows(request.user, self.settings_action)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Switch a product or rule off instead: the suggestions it made keep naming it.
        return False


def _as_form_errors(form: forms.ModelForm, error: ValidationError) -> None:
    for name, messages in error.message_dict.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["code", "name", "product_type", "risk_level", "segments", "kinds", "min_age", "max_age",
                  "min_credit_rating", "is_active"]

    def _post_clean(self):
        super()._post_clean()
        # The instance carries the cleaned values now; the product's own checks read them.
        if not self.errors:
            try:
                product_validate(self.instance)
            except ValidationError as error:
                _as_form_errors(self, error)


class OfferRuleForm(forms.ModelForm):
    class Meta:
        model = OfferRule
        fields = ["name", "product", "priority", "is_active", "kinds", "segments", "need_type",
                  "holds_product_types", "lacks_product_types", "min_deposits", "min_aum"]

    def _post_clean(self):
        super()._post_clean()
        # The instance carries the cleaned values now; the rule's own checks read them.
        if not self.errors:
            try:
                rule_validate(self.instance)
            except ValidationError as error:
                _as_form_errors(self, error)


@admin.register(Product)
class ProductAdmin(_ConfiguredByServiceAdmin):
    settings_action = SettingsAction.OFFER_CATALOGUE
    form = ProductForm
    list_display = ["code", "name", "product_type", "risk_level", "min_age", "max_age", "min_credit_rating",
                    "is_active"]
    list_filter = ["product_type", "risk_level", "is_active"]
    search_fields = ["code", "name"]

    def save_model(self, request, obj, form, change):
        offers.product_save(actor=request.user, product=obj)


@admin.register(OfferRule)
class OfferRuleAdmin(_ConfiguredByServiceAdmin):
    settings_action = SettingsAction.OFFER_RULES
    form = OfferRuleForm
    list_display = ["name", "product", "priority", "need_type", "min_deposits", "min_aum", "is_active",
                    "version"]
    list_filter = ["is_active", "need_type"]
    list_select_related = ["product"]
    readonly_fields = ["version"]

    def save_model(self, request, obj, form, change):
        offers.offer_rule_save(actor=request.user, rule=obj)


@admin.register(Suggestion)
class SuggestionAdmin(CustomerDataAdmin):
    protected_record = True
    list_display = ["customer", "product", "rule", "status", "created_at", "decided_by", "decided_at",
                    "decision_reason"]
    list_filter = ["status", "decision_reason"]
    list_select_related = ["customer", "product", "rule", "decided_by"]
    ordering = ["-created_at", "-pk"]
    fields = ["customer", "product", "rule", "rule_version", "status", "reasons_shown", "created_at",
              "decided_by", "decided_at", "decision_reason", "decision_note_shown"]
    readonly_fields = fields

    @admin.display(description=_("reasons"))
    def reasons_shown(self, obj) -> str:
        return offers.reasons_text(obj.reasons)

    @admin.display(description=_("note"))
    def decision_note_shown(self, obj) -> str:
        return shown(self.own_view(obj), "decision_note")
