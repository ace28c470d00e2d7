"""Book permissions granted and revoked per customer, and the role groups' model-wide rights."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Permission

from customers.models import (
    CustomerUserObjectPermission,
)
from customers.permissions.codenames import BOOK_PERMISSIONS, ROLE_PERMISSIONS, permission_id


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
