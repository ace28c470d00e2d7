"""The customers app's answer to compliance.access: `CustomerPolicy` decides every action on
customers from the rules table, restricts querysets, and says which fields a user sees in
clear (object permissions, delegations, live reveal grants), caching what it read per request."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance import access
from crm.models import Branch
from crm.roles import user_roles
from customers.models import (
    Campaign,
    Customer,
    CustomerUserObjectPermission,
    RevealGrant,
)
from customers.permissions.actor import (
    delegated_managers,
    holds_customer_grants,
    is_active_user,
    is_head_office,
    model_permissions,
    user_branch_id,
    visible_ids,
)
from customers.permissions.codenames import BRANCH_ROLES, VIEW, VIEW_PII, permission_id
from customers.permissions.rules import REFUSALS, RULES, SETTINGS_RULES, CustomerAction, Scope


def _branch_of(obj) -> int | None:
    """The branch an object belongs to: a customer's home branch, a user's branch, a branch."""
    if isinstance(obj, Customer):
        return obj.home_branch_id
    if isinstance(obj, Campaign):
        return obj.branch_id
    if isinstance(obj, Branch):
        return obj.pk
    if hasattr(obj, "staff_profile") or hasattr(obj, "get_username"):
        return user_branch_id(obj)
    return getattr(obj, "home_branch_id", None)




def sees(user, customer: Customer) -> bool:
    """Whether `user` may see `customer` (the VIEW rule for one record; cached per request)."""
    if not is_active_user(user) or customer.pk is None:
        return False
    if is_head_office(user):
        return True
    branch_id = user_branch_id(user)
    if branch_id and customer.home_branch_id == branch_id and user_roles(user) & BRANCH_ROLES:
        return True
    if customer.relationship_manager_id and customer.relationship_manager_id in delegated_managers(user):
        return True
    cache = visible_ids(user)
    if customer.pk not in cache:
        cache[customer.pk] = CustomerUserObjectPermission.objects.filter(
            user_id=user.pk, permission_id=permission_id(VIEW), content_object_id=customer.pk
        ).exists()
    return cache[customer.pk]


def _in_scope(user, scope: Scope, obj) -> bool:
    if scope is Scope.HEAD_OFFICE:
        return is_head_office(user)
    if obj is None:  # on some record: any scope but head office needs somewhere to act
        return (scope in (Scope.VISIBLE, Scope.CLEAR) or is_head_office(user)
                or user_branch_id(user) is not None)
    if scope is Scope.BRANCH:
        return is_head_office(user) or (
            _branch_of(obj) is not None and _branch_of(obj) == user_branch_id(user)
        )
    if scope is Scope.CLEAR:
        return isinstance(obj, Customer) and access.allows(user, CustomerAction.VIEW_CLEAR, obj)
    return sees(user, obj) if isinstance(obj, Customer) else True


class CustomerPolicy:
    """The customers app's answer to compliance.access for every customer action (RULES)."""

    def allows(self, user, action: str, obj=None) -> bool:
        if not is_active_user(user):
            return False
        if action in SETTINGS_RULES:
            return any(user.has_perm(codename) for codename in SETTINGS_RULES[action])
        if action == CustomerAction.VIEW:
            return True if obj is None else sees(user, obj)
        if action == CustomerAction.VIEW_CLEAR:
            if obj is None:
                return True
            applicable = {name for name, spec in access.sensitive_fields(Customer).items()
                          if spec.applies_to(obj)}
            return applicable <= self.clear_fields(user, [obj]).get(obj.pk, frozenset())
        held = model_permissions(user)
        return any(
            held.intersection(grant.capabilities) and _in_scope(user, grant.scope, obj)
            for grant in RULES.get(action, ())
        )

    def refusal(self, action: str) -> str:
        return str(REFUSALS.get(action, _("You may not do this.")))

    def restrict(self, queryset: QuerySet, user, action: str = CustomerAction.VIEW) -> QuerySet:
        if not is_active_user(user):
            return queryset.none()
        if action == CustomerAction.VIEW:
            return self._restrict_view(queryset, user)
        if action == CustomerAction.VIEW_CLEAR:
            return self._restrict_clear(queryset, user)
        held = model_permissions(user)
        scopes = {grant.scope for grant in RULES.get(action, ()) if held.intersection(grant.capabilities)}
        if not scopes:
            return queryset.none()
        if scopes == {Scope.CLEAR}:
            return self._restrict_clear(queryset, user)
        if is_head_office(user) or (scopes == {Scope.VISIBLE}):
            return self._restrict_view(queryset, user)
        branch_id = user_branch_id(user)
        if Scope.VISIBLE in scopes:  # the branch is part of what a branch role sees
            visible = self._restrict_view(queryset, user)
            return visible | queryset.filter(home_branch_id=branch_id) if branch_id else visible
        if Scope.BRANCH in scopes and branch_id:
            return queryset.filter(home_branch_id=branch_id)
        return queryset.none()

    def _restrict_view(self, queryset: QuerySet, user) -> QuerySet:
        if is_head_office(user):
            return queryset
        conditions = []
        if holds_customer_grants(user):
            conditions.append(Q(Exists(
                CustomerUserObjectPermission.objects.filter(
                    user_id=user.pk, permission_id=permission_id(VIEW), content_object_id=OuterRef("pk")
                )
            )))
        branch_id = user_branch_id(user)
        if branch_id and user_roles(user) & BRANCH_ROLES:
            conditions.append(Q(home_branch_id=branch_id))
        delegators = delegated_managers(user)
        if delegators:
            conditions.append(Q(relationship_manager_id__in=delegators))
        if not conditions:
            return queryset.none()
        condition = conditions[0]
        for other in conditions[1:]:
            condition |= other
        return queryset.filter(condition)

    def _restrict_clear(self, queryset: QuerySet, user) -> QuerySet:
        if VIEW_PII in model_permissions(user):
            return queryset
        condition = Q(
            Exists(
                CustomerUserObjectPermission.objects.filter(
                    user_id=user.pk, permission_id=permission_id(VIEW_PII), content_object_id=OuterRef("pk")
                )
            )
        )
        delegators = delegated_managers(user)
        if delegators:
            condition |= Q(relationship_manager_id__in=delegators)
        return queryset.filter(condition)

    def clear_fields(self, user, objects: Iterable[Customer]) -> dict[int, frozenset[str]]:
        objects = list(objects)
        if not objects or not is_active_user(user):
            return {}
        every = frozenset(_every_field_name())
        if VIEW_PII in model_permissions(user):
            return {obj.pk: every for obj in objects}
        stored = _stored_clear(user, [obj.pk for obj in objects], every)
        delegators = set(delegated_managers(user))
        clear = {}
        for obj in objects:
            clear[obj.pk] = every if obj.relationship_manager_id in delegators else stored[obj.pk]
        return clear


def _stored_clear(user, ids: list[int], every: frozenset[str]) -> dict[int, frozenset[str]]:
    """The fields of each customer that `user`'s object permissions and live reveal grants
    show in clear, read once per request for each customer (a page asks for the customer and
    again for each kind of record hanging off it). `forget_access` drops what was read."""
    cache = getattr(user, "_customer_clear", None)
    if cache is None:
        cache = user._customer_clear = {}
    missing = [pk for pk in ids if pk not in cache]
    if missing:
        found: dict[int, set[str]] = {pk: set() for pk in missing}
        for pk in CustomerUserObjectPermission.objects.filter(
            user_id=user.pk, permission_id=permission_id(VIEW_PII), content_object_id__in=missing
        ).values_list("content_object_id", flat=True):
            found[pk] = set(every)
        grants = _live_grants(user)
        for pk in missing:
            grants[pk] = []
        for grant in RevealGrant.objects.filter(
            user_id=user.pk, customer_id__in=missing, expires_at__gt=timezone.now()
        ).order_by("expires_at", "pk"):
            found[grant.customer_id] |= set(grant.fields) & every
            grants[grant.customer_id].append(grant)
        cache.update({pk: frozenset(fields) for pk, fields in found.items()})
    return {pk: cache[pk] for pk in ids}


def _live_grants(user) -> dict[int, list[RevealGrant]]:
    cached = getattr(user, "_customer_grants", None)
    if cached is None:
        cached = user._customer_grants = {}
    return cached


def live_reveal_grants(user, customer: Customer) -> list[RevealGrant]:
    """`user`'s unexpired reveal grants on `customer`, soonest to expire first. Read with the
    clear fields when the policy asked for them in this request (no second query)."""
    grants = _live_grants(user)
    if customer.pk not in grants:
        grants[customer.pk] = list(RevealGrant.objects.filter(
            user_id=user.pk, customer_id=customer.pk, expires_at__gt=timezone.now()
        ).order_by("expires_at", "pk"))
    return list(grants[customer.pk])



def _every_field_name() -> list[str]:
    return list(access.sensitive_fields(Customer))
