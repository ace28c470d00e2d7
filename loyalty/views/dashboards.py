"""Satisfaction dashboards for branch managers and head office: NPS and CSAT over time and by
branch, RM, segment and channel, response rates, detractor recovery; and the RM scorecard.
Each chart is inline SVG drawn by the portal (loyalty.surveys.charts) with its table beside."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from customers.views.common import portal_page
from loyalty.surveys import dashboards
from loyalty.surveys.charts import bar_chart

MONTH_CHOICES = (3, 6, 12, 24)


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _params(request) -> tuple[int | None, int]:
    months = _int(request.GET.get("months"), 12)
    return _int(request.GET.get("branch")), months if months in MONTH_CHOICES else 12


@portal_page
def satisfaction(request):
    """NPS/CSAT by month, branch, RM, segment and channel, response rates, detractor recovery."""
    branch_id, months = _params(request)
    scope = dashboards.dashboard_scope(actor=request.user, branch_id=branch_id)
    figures = dashboards.satisfaction_figures(scope=scope, months=months)
    month_labels = [(date_format(row["month"], "YEAR_MONTH_FORMAT"), row) for row in figures["by_month"]]
    charts = {
        "nps_month": bar_chart(
            [(label, row["nps"]) for label, row in month_labels], title=_("NPS by month"), low=-100, high=100
        ),
        "csat_month": bar_chart(
            [(label, row["csat"]) for label, row in month_labels],
            title=_("CSAT (share satisfied) by month"),
            unit="%",
        ),
        "rate_month": bar_chart(
            [(label, row["rate"]) for label, row in month_labels], title=_("Response rate by month"), unit="%"
        ),
    }
    titles = {
        "branch": _("NPS by branch"),
        "relationship_manager": _("NPS by relationship manager"),
        "segment": _("NPS by segment"),
        "channel": _("NPS by channel"),
    }
    groups = [
        {
            "name": name,
            "title": titles[name],
            "rows": rows,
            "chart": bar_chart(
                [(row["label"], row["nps"]) for row in rows], title=titles[name], low=-100, high=100
            ),
        }
        for name, rows in figures["groups"].items()
    ]
    return render(
        request,
        "loyalty/surveys/dashboard.html",
        {
            "scope": scope,
            "months": months,
            "month_choices": MONTH_CHOICES,
            "figures": figures,
            "month_rows": month_labels,
            "charts": charts,
            "groups": groups,
        },
    )


@portal_page
def scorecard(request):
    """Each RM's satisfaction beside their book, follow-up discipline and detractor recovery."""
    branch_id, months = _params(request)
    scope = dashboards.dashboard_scope(actor=request.user, branch_id=branch_id)
    rows = dashboards.rm_scorecard(scope=scope, months=min(months, 12))
    chart = bar_chart(
        [(row["name"], row["nps"]) for row in rows],
        title=_("NPS by relationship manager"),
        low=-100,
        high=100,
    )
    return render(
        request,
        "loyalty/surveys/scorecard.html",
        {
            "scope": scope,
            "months": min(months, 12),
            "month_choices": MONTH_CHOICES[:3],
            "rows": rows,
            "chart": chart,
        },
    )
