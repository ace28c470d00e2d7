"""Reads for organisation data."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from crm.models import Branch, StaffProfile


def organisation_figures(*, user) -> dict:
    """Figures for the home page, each one counted in the database (two queries)."""
    profile = StaffProfile.objects.filter(user=user).select_related("branch").first()
    branch = profile.branch if profile else None
    branch_totals = Branch.objects.aggregate(
        branches=Count("pk", filter=Q(is_active=True)),
        regions=Count("region", distinct=True, filter=Q(is_active=True)),
    )
    colleagues = (
        get_user_model()
        .objects.filter(is_active=True, staff_profile__branch=branch)
        .exclude(pk=user.pk)
        .count()
        if branch
        else 0
    )
    return {
        "branch": branch,
        "profile": profile,
        "active_branches": branch_totals["branches"],
        "regions": branch_totals["regions"],
        "colleagues_in_branch": colleagues,
    }
