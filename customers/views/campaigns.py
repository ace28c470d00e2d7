"""Campaign pages: the list, preparing one, its page (definition, the eligibility preview and
what may be done next), its results (chart, table, recipients, responses).

A campaign the user may not see answers 404, the same as a missing one; an action the user may
not take on a campaign they see answers 403. Each POST calls one service and redirects; a
refused service shows its errors again.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.forms import add_validation_errors, validation_messages
from crm.models import Branch
from customers import permissions
from customers.forms.campaigns import CampaignForm, CampaignResponseForm, CampaignScheduleForm
from customers.models import Campaign, CampaignStatus, RecipientStatus, RefusalCode
from customers.outreach import campaigns
from customers.outreach.refusals import refusal_message
from customers.permissions import CampaignAction
from customers.views.campaign_chart import bar_chart
from customers.views.common import portal_page

RECIPIENTS_SHOWN = 100
PREVIEWABLE = (CampaignStatus.DRAFT, CampaignStatus.PENDING_APPROVAL, CampaignStatus.APPROVED,
               CampaignStatus.SCHEDULED)


def _campaign(request, pk: int) -> Campaign:
    try:
        return campaigns.campaign_get(actor=request.user, pk=pk)
    except Campaign.DoesNotExist:
        raise Http404 from None


def _detail(pk: int, *, preview: bool = False) -> HttpResponseRedirect:
    url = reverse("campaign-detail", args=[pk])
    return HttpResponseRedirect(f"{url}?preview=1" if preview else url)


def _branch_choices(user):
    if permissions.is_head_office(user):
        return Branch.objects.order_by("code")
    return Branch.objects.filter(pk=permissions.user_branch_id(user))


@portal_page
@require_GET
def campaign_list(request):
    """The campaigns the user may see, newest first."""
    permissions.check(request.user, CampaignAction.VIEW)
    return render(request, "customers/campaigns/list.html", {
        "campaigns": campaigns.campaign_list(actor=request.user)[:200],
        "may_create": permissions.allows(request.user, CampaignAction.MANAGE),
    })


FORM_FIELDS = ("name", "channel", "purpose", "subject", "body", "segments", "kinds", "branches", "needs",
               "holds_products", "lacks_products", "min_aum")


@portal_page
@require_http_methods(["GET", "POST"])
def campaign_edit(request, pk: int):
    """Change a draft's targeting or message; a campaign past its draft cannot change."""
    campaign = _campaign(request, pk)
    permissions.check(request.user, CampaignAction.MANAGE, campaign)
    if campaign.status != CampaignStatus.DRAFT:
        messages.error(request, _("Only a draft can be changed; cancel the campaign and prepare a new one."))
        return _detail(campaign.pk)
    initial = {name: getattr(campaign, name) for name in FORM_FIELDS}
    form = CampaignForm(request.POST or None, branch_choices=_branch_choices(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaigns.campaign_update(actor=request.user, campaign=campaign, values=form.values())
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Campaign changed. Check the preview, then submit it."))
            return _detail(campaign.pk, preview=True)
    return render(request, "customers/campaigns/form.html", {"form": form, "campaign": campaign},
                  status=400 if form.errors else 200)


@portal_page
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    """Prepare a campaign (a draft)."""
    permissions.check(request.user, CampaignAction.MANAGE)
    form = CampaignForm(request.POST or None, branch_choices=_branch_choices(request.user),
                        initial={"purpose": "marketing"})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaigns.campaign_create(actor=request.user, values=form.values())
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Campaign prepared. Check the preview, then submit it."))
            return _detail(campaign.pk, preview=True)
    return render(request, "customers/campaigns/form.html", {"form": form},
                  status=400 if form.errors else 200)


def _preview_rows(preview) -> list[dict]:
    return [{"code": code, "label": RefusalCode(code).label, "count": count}
            for code, count in preview.excluded.items()]


@portal_page
@require_GET
def campaign_detail(request, pk: int):
    """The campaign, its preview while it has not started, and the actions the user may take."""
    campaign = _campaign(request, pk)
    user = request.user
    # The preview reads the whole audience (up to millions of customers): counted when asked.
    may_preview = campaign.status in PREVIEWABLE
    preview = campaigns.preview(campaign) if may_preview and request.GET.get("preview") == "1" else None
    may_manage = permissions.allows(user, CampaignAction.MANAGE, campaign)
    return render(request, "customers/campaigns/detail.html", {
        "campaign": campaign, "preview": preview, "preview_rows": _preview_rows(preview) if preview else [],
        "threshold": campaigns.approval_threshold(), "may_preview": may_preview,
        "may_submit": may_manage and campaign.status == CampaignStatus.DRAFT,
        "may_edit": may_manage and campaign.status == CampaignStatus.DRAFT,
        "may_approve": (campaign.status == CampaignStatus.PENDING_APPROVAL
                        and campaign.created_by_id != user.pk
                        and permissions.allows(user, CampaignAction.APPROVE, campaign)),
        "may_schedule": may_manage and campaign.status == CampaignStatus.APPROVED,
        "may_cancel": may_manage and campaign.is_open,
        "schedule_form": CampaignScheduleForm(),
        "branch_names": dict(Branch.objects.filter(pk__in=campaign.branches).values_list("pk", "name")),
    })


def _post_action(request, pk: int, service, done: str, **extra):
    campaign = _campaign(request, pk)
    try:
        service(actor=request.user, campaign=campaign, **extra)
    except ValidationError as error:
        for text in [message for values in validation_messages(error).values() for message in values]:
            messages.error(request, text)
    else:
        messages.success(request, done)
    return _detail(pk)


@portal_page
@require_POST
def campaign_submit(request, pk: int):
    """Submit a draft: approved at once when small, otherwise it waits for a second person."""
    return _post_action(request, pk, campaigns.campaign_submit, _("Campaign submitted."))


@portal_page
@require_POST
def campaign_approve(request, pk: int):
    """Approve a large campaign someone else prepared."""
    return _post_action(request, pk, campaigns.campaign_approve, _("Campaign approved."))


@portal_page
@require_POST
def campaign_schedule(request, pk: int):
    """Schedule an approved campaign (now, or at the time given)."""
    form = CampaignScheduleForm(request.POST)
    if not form.is_valid():
        _campaign(request, pk)
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return _detail(pk)
    return _post_action(request, pk, campaigns.campaign_schedule, _("Campaign scheduled."),
                        send_at=form.cleaned_data["send_at"])


@portal_page
@require_POST
def campaign_cancel(request, pk: int):
    """Cancel a campaign: nothing more is sent."""
    return _post_action(request, pk, campaigns.campaign_cancel, _("Campaign cancelled."))


def _chart(results) -> tuple:
    rows = [(str(RecipientStatus(status).label), count, f"bar-{status}")
            for status, count in results.by_status.items()]
    rows += [(_("Responded"), results.responded, "bar-responded"), (_("Converted"), results.converted,
                                                                   "bar-converted")]
    return bar_chart(rows), rows


@portal_page
@require_GET
def campaign_results(request, pk: int):
    """Counts per status and per refusal reason, response and conversion rates, a chart with
    its table, and the recipients the user sees (with a button to record a response)."""
    campaign = _campaign(request, pk)
    results = campaigns.campaign_results(campaign=campaign)
    chart, rows = _chart(results)
    recipients = list(campaigns.campaign_recipients(actor=request.user, campaign=campaign)
                      .order_by("customer_id")[:RECIPIENTS_SHOWN])
    for recipient in recipients:
        recipient.refusal = (refusal_message(recipient.refusal_code, purpose=campaign.purpose,
                                             channel=campaign.channel)
                             if recipient.refusal_code else "")
    blocked = [{"label": RefusalCode(code).label, "count": count}
               for code, count in results.blocked_by_reason.items() if count]
    return render(request, "customers/campaigns/results.html", {
        "campaign": campaign, "results": results, "chart": chart, "rows": rows, "blocked": blocked,
        "recipients": recipients, "shown_limit": RECIPIENTS_SHOWN,
        "may_record": permissions.allows(request.user, CampaignAction.RECORD_RESPONSE, campaign),
    })


@portal_page
@require_POST
def campaign_response(request, pk: int):
    """Record that a recipient responded or converted."""
    campaign = _campaign(request, pk)
    permissions.check(request.user, CampaignAction.RECORD_RESPONSE, campaign)
    form = CampaignResponseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a recipient and what they did."))
    else:
        visible = campaigns.campaign_recipients(actor=request.user, campaign=campaign).filter(
            customer_id=form.cleaned_data["customer"])
        if not visible.exists():
            raise Http404
        try:
            campaigns.campaign_response_record(actor=request.user, campaign=campaign,
                                               customer_id=form.cleaned_data["customer"],
                                               outcome=form.cleaned_data["outcome"])
        except ValidationError as error:
            for text in [message for values in validation_messages(error).values() for message in values]:
                messages.error(request, text)
        else:
            messages.success(request, _("Response recorded."))
    return HttpResponseRedirect(reverse("campaign-results", args=[pk]))
