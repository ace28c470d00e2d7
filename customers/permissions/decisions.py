"""The calls every surface and service makes: `allows`, `refusal`, `check`, and the
restrictions of customers, campaigns and saved list views."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from compliance import access
from customers.models import (
    Customer,
)
from customers.permissions.actor import is_active_user, is_head_office, model_permissions, user_branch_id
from customers.permissions.rules import RULES, CampaignAction, CustomerAction, Scope


def allows(user, action: str, obj=None) -> bool:
    """Whether `user` may perform `action` on `obj`: a customer (saved, or unsaved with its home
    branch for ADD), a branch, a relationship manager (MANAGE_BOOKS), or None for "on some
    customer" (whether to offer the action at all)."""
    return access.policy_for(Customer).allows(user, action, obj)


def refusal(action: str) -> str:
    """The message a user reads when `action` is refused."""
    return access.policy_for(Customer).refusal(action)


def check(user, action: str, obj=None) -> None:
    """Raise PermissionDenied with the action's message unless `allows(user, action, obj)`."""
    if not allows(user, action, obj):
        raise PermissionDenied(access.policy_for(Customer).refusal(action))


def list_views_restrict(queryset: QuerySet, user) -> QuerySet:
    """The saved list views (SavedListView) `user` may see and manage: their own, and only
    while they may see customers at all. Nobody, administrators included, uses another
    user's views in the portal or the API; one that is not theirs is simply absent (404)."""
    if not allows(user, CustomerAction.VIEW):
        return queryset.none()
    return queryset.filter(owner_id=user.pk)


def campaigns_restrict(queryset: QuerySet, user, action: str = CampaignAction.VIEW) -> QuerySet:
    """The campaigns (a Campaign queryset) on which `user` may perform `action`: every one for
    head office holding a grant of the action, their branch's for a branch holder, none
    otherwise. The same RULES answer as for `allows`; a campaign left out is absent (404)."""
    if not is_active_user(user):
        return queryset.none()
    held = model_permissions(user)
    scopes = {grant.scope for grant in RULES.get(action, ()) if held.intersection(grant.capabilities)}
    if scopes and is_head_office(user):
        return queryset
    branch_id = user_branch_id(user)
    if Scope.BRANCH in scopes and branch_id:
        return queryset.filter(branch_id=branch_id)
    return queryset.none()


def customers_restrict(queryset: QuerySet, user, action: str) -> QuerySet:
    """The customers `user` may perform `action` on (compliance.access.restrict)."""
    return access.restrict(queryset, user, action)
