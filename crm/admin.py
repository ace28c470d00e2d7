"""Admin for organisation data: branches, staff profiles (on the user page), API tokens and the
business-day calendar's holidays and worked weekend days."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from crm.models import ApiToken, Branch, CalendarDay, OutboxMessage, StaffProfile
from crm.services import api_token_revoke

User = get_user_model()


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "parent", "is_active"]
    list_filter = ["region", "is_active"]
    search_fields = ["code", "name", "region"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "day"
    search_fields = ["name"]


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    autocomplete_fields = ["branch"]
    verbose_name_plural = _("staff profile")


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ["username", "first_name", "last_name", "branch", "is_active", "is_staff"]
    list_select_related = ["staff_profile__branch"]
    list_filter = [*UserAdmin.list_filter, "staff_profile__branch__region"]

    @admin.display(description=_("branch"), ordering="staff_profile__branch__code")
    def branch(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return profile.branch if profile else None


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["employee_number", "user", "branch", "title"]
    list_select_related = ["user", "branch"]
    search_fields = ["employee_number", "user__username", "user__last_name"]
    autocomplete_fields = ["user", "branch"]
    list_filter = ["branch__region"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    readonly_fields = ["user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    search_fields = ["prefix", "user__username", "name"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        # A raw token is shown once; tokens are issued through the API, never typed in.
        return False

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token)
        self.message_user(request, _("Tokens revoked."), messages.SUCCESS)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: what waits to be sent to Celery, and why the last try failed."""

    list_display = ["pk", "task_name", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "task_name"]
    readonly_fields = [
        "task_name", "args", "created_at", "claimed_until", "sent_at", "attempts", "last_error",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
