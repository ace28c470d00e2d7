"""Reads for organisation data: branches, staff and the home page's figures."""

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


def staff_in_branch(branch_id: int | None, *roles: str):
    """Active members of staff of branch `branch_id` holding any of `roles` (role names, see
    crm.roles.Role), ordered by name; an unevaluated queryset, empty for no branch.

    Forms offer these as choices (a relationship manager to reassign to, a delegate) and
    validate a submitted choice against the same queryset.
    """
    if branch_id is None:
        return get_user_model().objects.none()
    users = get_user_model().objects.filter(
        is_active=True, staff_profile__branch_id=branch_id, groups__name__in=list(roles)
    )
    return users.distinct().order_by("last_name", "first_name", "username")
