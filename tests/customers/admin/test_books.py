"""Admin of book delegations: ending one goes through the service and its policy."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission

from customers import permissions
from customers.models import (
    BookDelegation,
)
from tests.customers.admin.helpers import (
    post_action,
)

pytestmark = pytest.mark.django_db


def test_ending_a_delegation_goes_through_the_service(
    client, administrator, relationship_manager, branch_manager
):
    delegation = BookDelegation.objects.create(
        relationship_manager=relationship_manager,
        delegate=branch_manager,
        starts_on=datetime.date.today(),
        ends_on=datetime.date.today(),
        reason="Annual leave",
        created_by=branch_manager,
    )
    client.force_login(administrator)

    refused = post_action(client, BookDelegation, "end_delegations", delegation.pk)
    delegation.refresh_from_db()
    assert delegation.revoked_at is None
    assert "Only a branch manager may manage books." in refused.content.decode()

    # Reassign alone is not enough: books are managed for one's own branch (or by head office).
    administrator.user_permissions.add(Permission.objects.get(codename=permissions.REASSIGN))
    post_action(client, BookDelegation, "end_delegations", delegation.pk)
    delegation.refresh_from_db()
    assert delegation.revoked_at is None

    administrator.staff_profile.branch = relationship_manager.staff_profile.branch
    administrator.staff_profile.save()
    post_action(client, BookDelegation, "end_delegations", delegation.pk)
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
