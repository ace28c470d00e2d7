"""Admin of loyalty: earning rules, rewards and tiers (configuration, saved through the
services, which check the policy and audit), and the ledger's records read-only, restricted to
the customers the user sees."""

from __future__ import annotations

from django.contrib import admin

from customers.admin.base import AuditedByServiceMixin, CustomerDataAdmin
from loyalty import permissions, points, rewards, tiers
from loyalty.models import EarningRule, PointsAdjustment, Redemption, Reward, Tier, TierChange
from loyalty.permissions import LoyaltySettingsAction


class ConfigurationAdmin(AuditedByServiceMixin, admin.ModelAdmin):
    """Who may change the configuration is the policy's answer, as for the service behind the
    save. Nothing is deleted: switched off with "active", so the record of what applied stays."""

    settings_action: str = ""

    def has_add_permission(self, request) -> bool:
        return permissions.allows(request.user, self.settings_action)

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.allows(request.user, self.settings_action)

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.allows(request.user,
                                  self.settings_action) or super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def saved(self, obj, saved) -> None:
        obj.pk = saved.pk
        obj._state.adding = False


@admin.register(EarningRule)
class EarningRuleAdmin(ConfigurationAdmin):
    settings_action = LoyaltySettingsAction.EARNING_RULES
    list_display = ["activity", "name", "points", "points_per_unit", "unit_amount", "validity_days",
                    "tier_multiplier", "limit_points", "limit_days", "is_active"]
    list_filter = ["is_active", "tier_multiplier"]
    fields = ["activity", "name", "points", "points_per_unit", "unit_amount", "validity_days",
              "tier_multiplier",
              "limit_points", "limit_days", "is_active"]

    def save_model(self, request, obj, form, change):
        self.saved(obj, points.earning_rule_save(actor=request.user, rule=obj if change else None,
                                                 values=dict(form.cleaned_data)))


@admin.register(Tier)
class TierAdmin(ConfigurationAdmin):
    settings_action = LoyaltySettingsAction.TIERS
    list_display = ["rank", "code", "name", "min_points", "min_aum", "multiplier", "is_active"]
    fields = ["code", "name", "rank", "min_points", "min_aum", "multiplier", "required_products", "is_active"]
    ordering = ["rank"]

    def save_model(self, request, obj, form, change):
        self.saved(obj, tiers.tier_save(actor=request.user, tier=obj if change else None,
                                        values=dict(form.cleaned_data)))


@admin.register(Reward)
class RewardAdmin(ConfigurationAdmin):
    settings_action = LoyaltySettingsAction.REWARDS
    list_display = ["code", "name", "points_cost", "stock", "valid_from", "valid_until", "is_active"]
    list_filter = ["is_active"]
    fields = ["code", "name", "description", "points_cost", "stock", "valid_from", "valid_until",
              "eligible_tiers", "eligible_segments", "is_active"]
    filter_horizontal = ["eligible_tiers"]

    def save_model(self, request, obj, form, change):
        values = {name: value for name, value in form.cleaned_data.items() if name != "eligible_tiers"}
        self.saved(obj, rewards.reward_save(actor=request.user, reward=obj if change else None, values=values,
                                            eligible_tiers=form.cleaned_data.get("eligible_tiers")))

    def save_related(self, request, form, formsets, change):
        pass  # the service has set the eligible tiers


@admin.register(PointsAdjustment)
class PointsAdjustmentAdmin(CustomerDataAdmin):
    list_display = ["customer", "points", "reason", "reference", "status", "proposed_by", "proposed_at",
                    "decided_by", "decided_at"]
    list_filter = ["status", "reason"]
    list_select_related = ["customer", "proposed_by", "decided_by"]
    ordering = ["-proposed_at"]
    fields = list_display
    readonly_fields = fields


@admin.register(Redemption)
class RedemptionAdmin(CustomerDataAdmin):
    list_display = ["customer", "reward", "points", "status", "requested_by", "requested_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["customer", "reward", "requested_by"]
    ordering = ["-requested_at"]
    fields = list_display
    readonly_fields = fields


@admin.register(TierChange)
class TierChangeAdmin(CustomerDataAdmin):
    list_display = ["customer", "kind", "from_tier", "to_tier", "reviewed_on"]
    list_filter = ["kind", "reviewed_on"]
    list_select_related = ["customer", "from_tier", "to_tier"]
    ordering = ["-reviewed_on"]
    fields = list_display
    readonly_fields = fields


# Events, registrations, survey templates and responses.
from loyalty.admin import engagement  # noqa: E402, F401
