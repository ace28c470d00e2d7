"""The customers app's permission codenames, what each role holds model-wide, and their ids."""

from __future__ import annotations

from functools import cache

from django.contrib.auth.models import Permission

from crm.roles import Role

VIEW = "view_customer"
VIEW_PII = "view_customer_pii"
REVEAL = "reveal_customer_pii"
REASSIGN = "reassign_customer"
EXPORT = "export_customer"
IMPORT = "import_customer"
CHANGE = "change_customer"
ADD = "add_customer"
MANAGE_CAMPAIGN = "manage_campaign"
APPROVE_CAMPAIGN = "approve_campaign"
BOOK_PERMISSIONS = (VIEW, VIEW_PII)
BRANCH_ROLES = {Role.BRANCH_MANAGER.value, Role.BRANCH_STAFF.value}

# Role-wide (model-level) rights; per-customer access is granted per object. Migration 0002
# grants the same set; `sync_role_permissions` restores it after a flush.
ROLE_PERMISSIONS = {
    Role.COMPLIANCE_OFFICER.value: [VIEW, REVEAL, EXPORT],
    Role.BRANCH_MANAGER.value: [REASSIGN, REVEAL, EXPORT, CHANGE, IMPORT, ADD, MANAGE_CAMPAIGN,
                                APPROVE_CAMPAIGN],
    Role.RELATIONSHIP_MANAGER.value: [ADD, CHANGE, EXPORT],
    Role.BRANCH_STAFF.value: [ADD],
    Role.SERVICE_ACCOUNT.value: [VIEW, VIEW_PII, ADD, CHANGE, IMPORT],
}



@cache
def permission_id(codename: str) -> int:
    """The id of the customers app's permission `codename` (cached for the process)."""
    return Permission.objects.get(content_type__app_label="customers", codename=codename).pk
