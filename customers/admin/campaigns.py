"""Admin of campaigns (read-only; cancelling goes through the service, which asks the policy),
their recipients and the development backend's recorded messages (read-only, restricted to
the customers the user sees, subject and body through the trust layer).

Which campaigns a user sees here is the policy's answer (CampaignAction.VIEW), as on the pages
and in the API: administrators see campaigns only with a grant, like customers.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from customers import permissions
from customers.admin.base import CustomerDataAdmin, ReadOnlyAdminMixin, shown
from customers.models import Campaign, CampaignRecipient, OutboundMessage
from customers.outreach import campaigns
from customers.permissions import CampaignAction


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "branch", "channel", "purpose", "status", "send_at", "created_by", "approved_by"]
    list_filter = ["status", "channel", "purpose"]
    list_select_related = ["branch", "created_by", "approved_by"]
    search_fields = ["name"]
    ordering = ["-created_at"]
    fields = ["name", "branch", "channel", "purpose", "status", "segments", "kinds", "branches", "needs",
              "holds_products", "lacks_products", "min_aum", "subject", "body", "send_at",
              "audience_estimate", "created_by", "created_at", "submitted_at", "approved_by", "approved_at",
              "started_at", "completed_at", "cancelled_by", "cancelled_at"]
    readonly_fields = fields
    actions = ["cancel_campaigns"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return permissions.campaigns_restrict(queryset, request.user, CampaignAction.VIEW)

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.allows(request.user, CampaignAction.VIEW, obj)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(_("There is no such record."))

    @admin.action(description=_("Cancel the selected campaigns"))
    def cancel_campaigns(self, request, queryset):
        cancelled = refused = 0
        for campaign in queryset.order_by("pk"):
            try:
                campaigns.campaign_cancel(actor=request.user, campaign=campaign)
                cancelled += 1
            except (PermissionDenied, ValidationError):
                refused += 1
        if cancelled:
            self.message_user(request, ngettext(
                "%(count)d campaign cancelled.", "%(count)d campaigns cancelled.", cancelled,
            ) % {"count": cancelled}, messages.SUCCESS)
        if refused:
            self.message_user(request, ngettext(
                "%(count)d campaign was not cancelled (not yours to cancel, or finished).",
                "%(count)d campaigns were not cancelled (not yours to cancel, or finished).",
                refused) % {"count": refused}, messages.WARNING)


@admin.register(CampaignRecipient)
class CampaignRecipientAdmin(CustomerDataAdmin):
    list_display = ["campaign", "customer", "status", "refusal_code", "retry_at", "delivery", "responded_at",
                    "converted_at"]
    list_filter = ["status", "refusal_code", "delivery"]
    list_select_related = ["campaign", "customer"]
    ordering = ["campaign", "customer"]
    fields = ["campaign", "customer", "status", "refusal_code", "retry_at", "attempts", "decided_at",
              "delivered_at", "delivery", "responded_at", "converted_at"]
    readonly_fields = fields


@admin.register(OutboundMessage)
class OutboundMessageAdmin(CustomerDataAdmin):
    protected_record = True
    list_display = ["recorded_at", "channel", "customer", "address_mask", "campaign", "subject_shown"]
    list_filter = ["channel"]
    list_select_related = ["customer", "campaign"]
    ordering = ["-recorded_at"]
    fields = ["recorded_at", "channel", "customer", "address_mask", "campaign", "subject_shown", "body_shown"]
    readonly_fields = fields

    @admin.display(description=_("subject"))
    def subject_shown(self, obj) -> str:
        return shown(self.own_view(obj), "subject")

    @admin.display(description=_("message"))
    def body_shown(self, obj) -> str:
        return shown(self.own_view(obj), "body")
