"""Satisfaction surveys: templates with their questions in three languages, the invitations sent
to customers (signed single-use links) and the responses that come back.

An invitation is created once per trigger, reference and customer (a unique constraint: a
rerun of the sending task or a second request from the feedback app creates nothing twice),
then sent through the contact-pressure policy. Only a hash of its link's secret is stored, so
the database cannot be read back into working links. A response is one per invitation (a
one-to-one key), and carries copies of what the dashboards group by (branch, relationship
manager, segment, channel) as they were when the invitation was sent, so the dashboards read
one table with no joins to the customers.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from compliance.fields import EncryptedTextField, RecordKeyField
from crm.models import Branch
from customers.models import ContactChannel, Customer, FollowUp, Segment


class SurveyTrigger(models.TextChoices):
    VISIT = "visit", _("After a follow-up visit")
    COMPLAINT = "complaint", _("After a complaint is closed")
    RELATIONSHIP = "relationship", _("Relationship survey")


class QuestionKind(models.TextChoices):
    NPS = "nps", _("Likelihood to recommend (0-10)")
    CSAT = "csat", _("Satisfaction (1-5)")
    TEXT = "text", _("Free text")


SCORE_RANGES = {QuestionKind.NPS: (0, 10), QuestionKind.CSAT: (1, 5)}


def _in_language(obj, prefix: str, language: str | None = None) -> str:
    language = (language or translation.get_language() or "en").lower()
    if language.startswith("zh-hant") or language in ("zh-tw", "zh-hk"):
        value = getattr(obj, f"{prefix}_zh_hant")
    elif language.startswith("zh"):
        value = getattr(obj, f"{prefix}_zh_hans")
    else:
        value = ""
    return value or getattr(obj, f"{prefix}_en")


class SurveyTemplate(models.Model):
    """A survey: its title in English, Simplified and Traditional Chinese, and the trigger it
    answers. One active template per trigger; the periodic relationship survey may be limited
    to some segments (`segments`, empty for every segment)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    trigger = models.CharField(_("trigger"), max_length=16, choices=SurveyTrigger.choices)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh_hans = models.CharField(_("title (Simplified Chinese)"), max_length=200, blank=True)
    title_zh_hant = models.CharField(_("title (Traditional Chinese)"), max_length=200, blank=True)
    segments = models.JSONField(
        _("segments"),
        default=list,
        blank=True,
        help_text=_("For the relationship survey: the segments asked (empty: all)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")
        ordering = ["trigger", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["trigger"], condition=Q(is_active=True), name="survey_template_one_active_per_trigger"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        segments = self.segments or []
        if not isinstance(segments, list) or not set(segments) <= set(Segment.values):
            raise ValidationError(
                {"segments": _("List segment codes: %(codes)s.") % {"codes": ", ".join(Segment.values)}}
            )

    def title(self, language: str | None = None) -> str:
        return _in_language(self, "title", language)


class SurveyQuestion(models.Model):
    """One question of a template, in three languages: a 0-10 recommendation score (NPS), a
    1-5 satisfaction score (CSAT) or free text."""

    template = models.ForeignKey(
        SurveyTemplate, on_delete=models.CASCADE, related_name="questions", verbose_name=_("template")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    kind = models.CharField(_("kind"), max_length=8, choices=QuestionKind.choices)
    text_en = models.CharField(_("question (English)"), max_length=300)
    text_zh_hans = models.CharField(_("question (Simplified Chinese)"), max_length=300, blank=True)
    text_zh_hant = models.CharField(_("question (Traditional Chinese)"), max_length=300, blank=True)
    is_required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["template", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="survey_question_position"),
        ]

    def __str__(self) -> str:
        return f"{self.template_id}#{self.position} {self.kind}"

    def text(self, language: str | None = None) -> str:
        return _in_language(self, "text", language)


class SurveyInvitationStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    RESPONDED = "responded", _("Answered")
    REFUSED = "refused", _("Not contacted")
    SKIPPED = "skipped", _("Skipped (surveyed recently)")


class SurveyInvitation(models.Model):
    """One survey asked of one customer for one reason (`trigger` and `reference`: a follow-up's
    id, a complaint's number, a relationship-survey period).

    Queued first, then sent by the task through the contact-pressure policy: sent (with a link
    valid until `expires_at`), refused (the policy's code in `refusal_code`), skipped (the
    customer was surveyed within the period) or, in quiet hours, queued again until
    `not_before`. `token_hash` is the SHA-256 of the link's secret; the link itself is never
    stored. `branch`, `relationship_manager` and `segment` are copied at sending."""

    template = models.ForeignKey(
        SurveyTemplate, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("template")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="survey_invitations", verbose_name=_("customer")
    )
    trigger = models.CharField(_("trigger"), max_length=16, choices=SurveyTrigger.choices)
    reference = models.CharField(_("reference"), max_length=64)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SurveyInvitationStatus.choices,
        default=SurveyInvitationStatus.QUEUED,
    )
    refusal_code = models.CharField(_("refused because"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    channel = models.CharField(_("channel"), max_length=12, choices=ContactChannel.choices, blank=True)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    relationship_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("relationship manager"),
    )
    segment = models.CharField(_("segment"), max_length=16, choices=Segment.choices, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "trigger", "reference"], name="survey_invitation_once"
            ),
        ]
        indexes = [
            # The frequency limit: the customer's latest invitation sent.
            models.Index(
                fields=["customer", "-sent_at"],
                condition=Q(sent_at__isnull=False),
                name="survey_invitation_last_sent",
            ),
            models.Index(
                fields=["status", "not_before"], condition=Q(status="queued"), name="survey_invitation_queue"
            ),
            models.Index(fields=["branch", "sent_at"], name="survey_invitation_branch"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.trigger}:{self.reference}"


class SurveyResponse(models.Model):
    """The one answer to an invitation: the NPS and CSAT scores (for the dashboards) and, when
    the answer is a detractor's (NPS 0-6 or CSAT 1-2), the follow-up created for the RM's call.
    The dimensions are the invitation's, copied."""

    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.CASCADE, related_name="response", verbose_name=_("invitation")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="survey_responses", verbose_name=_("customer")
    )
    trigger = models.CharField(_("trigger"), max_length=16, choices=SurveyTrigger.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    nps_score = models.PositiveSmallIntegerField(
        _("NPS score"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    csat_score = models.PositiveSmallIntegerField(
        _("CSAT score"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    is_detractor = models.BooleanField(_("detractor"), default=False)
    follow_up = models.ForeignKey(
        FollowUp,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("detractor follow-up"),
    )
    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    relationship_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("relationship manager"),
    )
    segment = models.CharField(_("segment"), max_length=16, choices=Segment.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=12, choices=ContactChannel.choices, blank=True)
    submitted_at = models.DateTimeField(_("answered"))

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [
            models.Index(fields=["branch", "submitted_at"], name="survey_response_branch"),
            models.Index(fields=["relationship_manager", "submitted_at"], name="survey_response_rm"),
            models.Index(fields=["customer", "-submitted_at"], name="survey_response_customer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(nps_score__isnull=True) | Q(nps_score__lte=10), name="survey_response_nps_range"
            ),
            models.CheckConstraint(
                condition=Q(csat_score__isnull=True) | Q(csat_score__gte=1, csat_score__lte=5),
                name="survey_response_csat_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.trigger} {self.submitted_at:%Y-%m-%d}"


class SurveyAnswer(models.Model):
    """One question's answer: a score, or free text (about the customer's experience, so it is
    encrypted and registered with the trust layer)."""

    response = models.ForeignKey(
        SurveyResponse, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    question = models.ForeignKey(
        SurveyQuestion, on_delete=models.PROTECT, related_name="+", verbose_name=_("question")
    )
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    # Every encrypted value of the row is bound to it (compliance.fields.RecordKeyField).
    record_key = RecordKeyField()
    text = EncryptedTextField(_("answer"), max_length=2000, blank=True, null=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}#{self.question_id}"
