"""What the policy knows about the user acting, read once per request and kept on the user:
model-wide permissions, branch, the delegations they cover, whether they hold any
per-customer grant; `forget_access` drops it after a change to their grants."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils import timezone

from customers.models import (
    BookDelegation,
    CustomerUserObjectPermission,
)
from customers.permissions.codenames import VIEW, permission_id


def model_permissions(user) -> frozenset[str]:
    """Customer codenames `user` holds for every customer (through groups or directly).

    Superusers get nothing here: customer data needs an explicit grant.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_customer_model_perms", None)
    if cached is None:
        cached = frozenset(
            Permission.objects.filter(content_type__app_label="customers")
            .filter(Q(group__user=user) | Q(user=user))
            .values_list("codename", flat=True)
        )
        user._customer_model_perms = cached
    return cached


def remember_actor(user, *, model_permissions, delegations, holds_grants: bool) -> None:
    """Keep what `model_permissions`, `delegated_managers` and `holds_customer_grants` would
    read about `user` for the request (for `customers.selectors.actor_load`, which reads them
    in one query with the user's roles and branch)."""
    user._customer_model_perms = frozenset(model_permissions) if user.is_active else frozenset()
    user._customer_delegations = list(delegations)
    user._customer_holds_grants = bool(holds_grants)


def holds_customer_grants(user) -> bool:
    """Whether `user` holds `view_customer` on any one customer (a book, an administrator's
    grant). When they hold none, the VIEW restriction leaves out the per-customer test, so a
    branch manager's search reads their branch's index alone (cached per request)."""
    cached = getattr(user, "_customer_holds_grants", None)
    if cached is None:
        cached = user._customer_holds_grants = CustomerUserObjectPermission.objects.filter(
            user_id=user.pk, permission_id=permission_id(VIEW)).exists()
    return cached


def remember_visible(user, customer_id: int) -> None:
    """Keep for the request that `user` may see customer `customer_id` (it was just read
    through the VIEW restriction), so that `sees` reads nothing for it."""
    visible_ids(user)[customer_id] = True


def user_branch_id(user) -> int | None:
    profile = getattr(user, "staff_profile", None)
    return profile.branch_id if profile else None


def delegated_managers(user) -> list[int]:
    """Ids of relationship managers whose book `user` covers today."""
    cached = getattr(user, "_customer_delegations", None)
    if cached is None:
        today = timezone.localdate()
        cached = list(
            BookDelegation.objects.filter(
                delegate=user, starts_on__lte=today, ends_on__gte=today, revoked_at__isnull=True
            ).values_list("relationship_manager_id", flat=True)
        )
        user._customer_delegations = cached
    return cached


def has_customer_permission(user, codename: str) -> bool:
    """Model-level permission check (the capability half of a rule; scope is `allows`')."""
    return codename in model_permissions(user)



def is_active_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_head_office(user) -> bool:
    """Whether `user` sees every customer (view_customer held for the whole model)."""
    return VIEW in model_permissions(user)



def forget_access(user) -> None:
    """Drop what the policy has read about `user`'s access in this request (call after a
    change to their grants: a reveal, a reassignment, a delegation)."""
    for name in ("_customer_clear", "_customer_visible", "_customer_delegations", "_customer_holds_grants",
                 "_customer_grants"):
        user.__dict__.pop(name, None)

def visible_ids(user) -> dict[int, bool]:
    cached = getattr(user, "_customer_visible", None)
    if cached is None:
        cached = user._customer_visible = {}
    return cached
