"""Admin of the engagement data: events, registrations, survey invitations, responses and
answers read-only, restricted to the customers the user sees (answers' text through the trust
layer); survey templates and questions are configuration, saved through
loyalty.surveys.templates, which asks the policy and audits."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from customers.admin.base import AuditedByServiceMixin, CustomerDataAdmin, ReadOnlyAdminMixin, shown
from loyalty.models import (
    Event,
    EventInvitation,
    EventRegistration,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    SurveyTemplate,
)
from loyalty.permissions_engagement import EngagementAction, allows
from loyalty.surveys import templates


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "branch", "starts_at", "capacity", "status"]
    list_filter = ["kind", "status", "branch"]
    list_select_related = ["branch"]
    ordering = ["-starts_at"]
    fields = [
        "kind",
        "title",
        "description",
        "branch",
        "starts_at",
        "ends_at",
        "place",
        "online_link",
        "capacity",
        "eligible_tiers",
        "eligible_segments",
        "status",
        "created_by",
        "created_at",
    ]
    readonly_fields = fields


@admin.register(EventRegistration)
class EventRegistrationAdmin(CustomerDataAdmin):
    list_display = ["event", "customer", "status", "registered_at", "checked_in_at"]
    list_filter = ["status"]
    list_select_related = ["event", "customer"]
    ordering = ["-registered_at"]
    fields = [
        "event",
        "customer",
        "status",
        "registered_by",
        "registered_at",
        "checked_in_at",
        "checked_in_by",
        "completed_at",
        "cancelled_at",
    ]
    readonly_fields = fields


@admin.register(EventInvitation)
class EventInvitationAdmin(CustomerDataAdmin):
    list_display = ["event", "customer", "status", "refusal_code", "channel", "invited_at"]
    list_filter = ["status", "refusal_code"]
    list_select_related = ["event", "customer"]
    ordering = ["-invited_at"]
    fields = ["event", "customer", "status", "refusal_code", "channel", "invited_by", "invited_at"]
    readonly_fields = fields


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(CustomerDataAdmin):
    list_display = [
        "customer",
        "trigger",
        "reference",
        "status",
        "refusal_code",
        "channel",
        "sent_at",
        "responded_at",
    ]
    list_filter = ["trigger", "status", "channel"]
    list_select_related = ["customer"]
    ordering = ["-created_at"]
    fields = [
        "template",
        "customer",
        "trigger",
        "reference",
        "status",
        "refusal_code",
        "language",
        "channel",
        "branch",
        "relationship_manager",
        "segment",
        "created_at",
        "not_before",
        "sent_at",
        "expires_at",
        "responded_at",
    ]
    readonly_fields = fields


@admin.register(SurveyResponse)
class SurveyResponseAdmin(CustomerDataAdmin):
    list_display = [
        "customer",
        "trigger",
        "nps_score",
        "csat_score",
        "is_detractor",
        "branch",
        "submitted_at",
    ]
    list_filter = ["trigger", "is_detractor", "channel", "segment"]
    list_select_related = ["customer", "branch"]
    ordering = ["-submitted_at"]
    fields = [
        "invitation",
        "customer",
        "trigger",
        "language",
        "nps_score",
        "csat_score",
        "is_detractor",
        "follow_up",
        "branch",
        "relationship_manager",
        "segment",
        "channel",
        "submitted_at",
    ]
    readonly_fields = fields


@admin.register(SurveyAnswer)
class SurveyAnswerAdmin(CustomerDataAdmin):
    protected_record = True
    list_display = ["response", "customer", "question", "score", "text_shown"]
    list_select_related = ["response", "customer", "question"]
    ordering = ["-pk"]
    fields = ["response", "customer", "question", "score", "text_shown"]
    readonly_fields = fields

    @admin.display(description=_("answer"))
    def text_shown(self, obj) -> str:
        return shown(self.own_view(obj), "text")


class _ConfigurationAdmin(AuditedByServiceMixin, admin.ModelAdmin):
    # Who may change the surveys is the policy's answer, as it is for the service behind the save.
    def has_add_permission(self, request) -> bool:
        return allows(request.user, EngagementAction.SURVEY_TEMPLATES)

    def has_change_permission(self, request, obj=None) -> bool:
        return allows(request.user, EngagementAction.SURVEY_TEMPLATES)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # switched off with "active", so answers keep their questions

    def has_view_permission(self, request, obj=None) -> bool:
        return allows(request.user, EngagementAction.SURVEY_TEMPLATES) or super().has_view_permission(
            request, obj
        )


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(_ConfigurationAdmin):
    list_display = ["code", "trigger", "title_en", "is_active"]
    list_filter = ["trigger", "is_active"]
    fields = ["code", "trigger", "title_en", "title_zh_hans", "title_zh_hant", "segments", "is_active"]

    def save_model(self, request, obj, form, change):
        templates.survey_template_save(actor=request.user, template=obj)


@admin.register(SurveyQuestion)
class SurveyQuestionAdmin(_ConfigurationAdmin):
    list_display = ["template", "position", "kind", "text_en", "is_required"]
    list_filter = ["template", "kind"]
    list_select_related = ["template"]
    fields = ["template", "position", "kind", "text_en", "text_zh_hans", "text_zh_hant", "is_required"]

    def save_model(self, request, obj, form, change):
        templates.survey_question_save(actor=request.user, question=obj)
