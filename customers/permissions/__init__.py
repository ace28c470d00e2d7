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

The one policy, in modules that each do one thing, each importing only those above it:

    codenames  the permission codenames, the roles' model-wide rights, permission ids
    actor      what the policy knows about the acting user, cached per request
    rules      the actions, scopes, rules table and refusals; extend_policy
    policy     CustomerPolicy (compliance.access's answer), clear fields, reveal grants
    decisions  allows, refusal, check and the restrictions every surface calls
    grants     book permissions per customer, role groups

Callers keep using `customers.permissions` (the names below).
"""

from compliance import access  # noqa: F401 - callers reach the trust layer as permissions.access
from customers.permissions.actor import (  # noqa: F401
    delegated_managers,
    forget_access,
    has_customer_permission,
    holds_customer_grants,
    is_active_user,
    is_head_office,
    model_permissions,
    remember_actor,
    remember_visible,
    user_branch_id,
)
from customers.permissions.codenames import (  # noqa: F401
    ADD,
    APPROVE_CAMPAIGN,
    BOOK_PERMISSIONS,
    BRANCH_ROLES,
    CHANGE,
    EXPORT,
    IMPORT,
    MANAGE_CAMPAIGN,
    REASSIGN,
    REVEAL,
    ROLE_PERMISSIONS,
    VIEW,
    VIEW_PII,
    permission_id,
)
from customers.permissions.decisions import (  # noqa: F401
    allows,
    campaigns_restrict,
    check,
    customers_restrict,
    list_views_restrict,
    refusal,
)
from customers.permissions.grants import (  # noqa: F401
    grant_book_permissions,
    revoke_book_permissions,
    sync_role_permissions,
)
from customers.permissions.policy import CustomerPolicy, live_reveal_grants, sees  # noqa: F401
from customers.permissions.rules import (  # noqa: F401
    REFUSALS,
    RULES,
    SETTINGS_RULES,
    CampaignAction,
    CustomerAction,
    Grant,
    Scope,
    SettingsAction,
    extend_policy,
)
