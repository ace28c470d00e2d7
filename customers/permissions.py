"""Who may see and do what with customers.

Per customer, django-guardian object permissions in direct foreign-key tables:
`view_customer` (see the record, sensitive fields masked) and `view_customer_pii` (see them
in clear). The assigned relationship manager holds both. On top of those:

* model-level permissions held through a role group apply to every customer (compliance
  officers: view; service accounts: view and PII). Superuser status is deliberately NOT a
  shortcut to customer data: administrators run the system, they do not read customers.
* branch managers and branch staff see their branch's customers, masked;
* a colleague covering a relationship manager's book (BookDelegation) sees it as the RM does,
  for the delegation's dates only;
* a RevealGrant shows named fields of one customer in clear until it expires.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from crm.roles import Role, user_roles
from customers.models import (
    BookDelegation,
    Customer,
    CustomerUserObjectPermission,
    RevealGrant,
)

VIEW = "view_customer"
VIEW_PII = "view_customer_pii"
REVEAL = "reveal_customer_pii"
REASSIGN = "reassign_customer"
EXPORT = "export_customer"
IMPORT = "import_customer"
CHANGE = "change_customer"
ADD = "add_customer"
BOOK_PERMISSIONS = (VIEW, VIEW_PII)
BRANCH_ROLES = {Role.BRANCH_MANAGER.value, Role.BRANCH_STAFF.value}

# Role-wide (model-level) rights; per-customer access is granted per object. Migration 0002
# grants the same set; `sync_role_permissions` restores it after a flush.
ROLE_PERMISSIONS = {
    Role.COMPLIANCE_OFFICER.value: [VIEW, REVEAL, EXPORT],
    Role.BRANCH_MANAGER.value: [REASSIGN, REVEAL, EXPORT, CHANGE, IMPORT],
    Role.RELATIONSHIP_MANAGER.value: [ADD, CHANGE, EXPORT],
    Role.BRANCH_STAFF.value: [ADD],
    Role.SERVICE_ACCOUNT.value: [VIEW, VIEW_PII, ADD, CHANGE, IMPORT],
}


@cache
def permission_id(codename: str) -> int:
    """The id of the customers app's permission `codename` (cached for the process)."""
    return Permission.objects.get(content_type__app_label="customers", codename=codename).pk


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
    """Model-level permission check (role-wide actions such as export or reassign)."""
    return codename in model_permissions(user)


class CustomerPolicy:
    """The customers app's answer to compliance.access: see, see in clear, reveal."""

    def restrict(self, queryset: QuerySet, user) -> QuerySet:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return queryset.none()
        if VIEW in model_permissions(user):
            return queryset
        condition = Q(
            Exists(
                CustomerUserObjectPermission.objects.filter(
                    user_id=user.pk, permission_id=permission_id(VIEW), content_object_id=OuterRef("pk")
                )
            )
        )
        branch_id = user_branch_id(user)
        if branch_id and user_roles(user) & BRANCH_ROLES:
            condition |= Q(home_branch_id=branch_id)
        delegators = delegated_managers(user)
        if delegators:
            condition |= Q(relationship_manager_id__in=delegators)
        return queryset.filter(condition)

    def clear_fields(self, user, objects: Iterable[Customer]) -> dict[int, frozenset[str]]:
        from compliance.access import sensitive_fields

        objects = list(objects)
        if not objects or not getattr(user, "is_authenticated", False) or not user.is_active:
            return {}
        every = frozenset(sensitive_fields(Customer))
        if VIEW_PII in model_permissions(user):
            return {obj.pk: every for obj in objects}
        ids = [obj.pk for obj in objects]
        clear: dict[int, set[str]] = {pk: set() for pk in ids}
        for pk in CustomerUserObjectPermission.objects.filter(
            user_id=user.pk, permission_id=permission_id(VIEW_PII), content_object_id__in=ids
        ).values_list("content_object_id", flat=True):
            clear[pk] = set(every)
        delegators = set(delegated_managers(user))
        if delegators:
            for obj in objects:
                if obj.relationship_manager_id in delegators:
                    clear[obj.pk] = set(every)
        for customer_id, fields in RevealGrant.objects.filter(
            user_id=user.pk, customer_id__in=ids, expires_at__gt=timezone.now()
        ).values_list("customer_id", "fields"):
            clear[customer_id] |= set(fields) & every
        return {pk: frozenset(fields) for pk, fields in clear.items()}

    def may_reveal(self, user, obj: Customer) -> bool:
        if REVEAL not in model_permissions(user):
            return False
        if VIEW in model_permissions(user):
            return True
        # Branch managers reveal only for their own branch's customers.
        return obj.home_branch_id == user_branch_id(user) and Role.BRANCH_MANAGER.value in user_roles(user)


def grant_book_permissions(*, user_id: int, customer_ids: Iterable[int]) -> int:
    """Give `user_id` view and PII permissions on the customers; return rows added."""
    rows = [
        CustomerUserObjectPermission(
            user_id=user_id, permission_id=permission_id(codename), content_object_id=customer_id
        )
        for customer_id in customer_ids
        for codename in BOOK_PERMISSIONS
    ]
    created = CustomerUserObjectPermission.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5000)
    return len(created)


def revoke_book_permissions(*, user_id: int, customer_ids: Iterable[int]) -> int:
    """Remove `user_id`'s view and PII permissions on the customers; return rows removed."""
    deleted, _ = CustomerUserObjectPermission.objects.filter(
        user_id=user_id,
        permission_id__in=[permission_id(codename) for codename in BOOK_PERMISSIONS],
        content_object_id__in=list(customer_ids),
    ).delete()
    return deleted


def sync_role_permissions(*, using: str = "default") -> None:
    """Give each role group its model-level customer permissions (idempotent)."""
    from django.contrib.auth.models import Group

    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.add(*Permission.objects.using(using).filter(
            content_type__app_label="customers", codename__in=codenames))
