"""Admin of book delegations: listed, and ended through the service (which asks the policy)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from customers import services
from customers.admin.base import ReadOnlyAdminMixin
from customers.models import BookDelegation


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
