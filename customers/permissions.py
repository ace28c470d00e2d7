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

Longer than a module usually is here, on purpose: it is the one policy (the rules table, the
scopes, the restriction of querysets, the per-request cache of what it read, the book grants),
and a reviewer should be able to read every access decision in one file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance import access
from crm.models import Branch
from crm.roles import Role, user_roles
from customers.models import (
    BookDelegation,
    Campaign,
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
    _visible_ids(user)[customer_id] = True


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


class CustomerAction(StrEnum):
    """What a user may do with customers; `compliance.access.allows` answers for each."""

    VIEW = access.VIEW  # see the record, sensitive fields masked unless VIEW_CLEAR
    VIEW_CLEAR = access.VIEW_CLEAR  # every sensitive field in clear (the book's RM, a delegate)
    ADD = "add"  # create a customer (the object: an unsaved customer with its home branch)
    CHANGE = "change"  # change details; only the fields the user sees in clear
    CHANGE_BRANCH = "change_branch"  # move the customer to another home branch
    CHANGE_REFERENCE = "change_reference"  # the core-banking reference
    REASSIGN = "reassign"  # give the customer another relationship manager
    OVERRIDE_SEGMENT = "override_segment"  # set the segment by hand, with a reason and expiry
    REVEAL = "reveal"  # see named fields in clear for a while, with a stated purpose
    EXPORT = "export"  # download the list as CSV (its rows: what the user sees)
    IMPORT = "import"  # upload and apply CSV imports
    MERGE = "merge"  # merge duplicates (and undo a merge)
    MANAGE_BOOKS = "manage_books"  # move whole books and delegate them (the object: an RM)
    CHANGE_HOLDINGS = "change_holdings"  # record the products a customer holds
    LOG_INTERACTION = "log_interaction"  # record a contact on the timeline
    LOG_FOR_SYSTEM = "log_for_system"  # log it in a system's name (a channel), naming no staff
    RECORD_NEED = "record_need"  # record a need
    WORK_FOLLOW_UP = "work_follow_up"  # complete or reschedule a follow-up, book an appointment
    MANAGE_CONSENT = "manage_consent"  # record or withdraw the customer's consent to be contacted
    PLACE_HOLD = "place_hold"  # place or lift a contact hold (a cool-off from outreach)
    APPLY_PRIVACY_REQUEST = "apply_privacy_request"  # carry out a data subject's request (compliance)
    WORK_OFFERS = "work_offers"  # refresh, accept or dismiss the customer's suggested offers
    REPORT_OFFERS = "report_offers"  # count the customer's suggestions in the acceptance report


class SettingsAction(StrEnum):
    """Changes to the customers app's configuration, which is about no customer: Django's
    permissions decide (`SETTINGS_RULES`), so administrators (superusers) may, and whoever an
    administrator grants the permission. The same `allows`/`check` answers them."""

    SEGMENT_RULES = "configure_segment_rules"  # versions of the segmentation rules
    ADD_EXCHANGE_RATE = "add_exchange_rate"  # a rate for a currency that has none
    CHANGE_EXCHANGE_RATE = "change_exchange_rate"
    CONTACT_PLANS = "configure_contact_plans"  # how often each segment is contacted
    TRIGGER_RULES = "configure_trigger_rules"  # the life events that create follow-ups
    CONTACT_CAPS = "configure_contact_caps"  # how often a customer may be contacted per purpose
    OFFER_CATALOGUE = "configure_offer_catalogue"  # the products that may be suggested
    OFFER_RULES = "configure_offer_rules"  # the rules that suggest them


SETTINGS_RULES: dict[str, tuple[str, ...]] = {
    SettingsAction.SEGMENT_RULES: ("customers.change_segmentruleset",),
    SettingsAction.ADD_EXCHANGE_RATE: ("customers.add_exchangerate",),
    SettingsAction.CHANGE_EXCHANGE_RATE: ("customers.change_exchangerate",),
    SettingsAction.CONTACT_PLANS: ("customers.change_contactplan",),
    SettingsAction.TRIGGER_RULES: ("customers.change_triggerrule",),
    SettingsAction.CONTACT_CAPS: ("customers.change_contactcap",),
    SettingsAction.OFFER_CATALOGUE: ("customers.change_product",),
    SettingsAction.OFFER_RULES: ("customers.change_offerrule",),
}


class CampaignAction(StrEnum):
    """What a user may do with campaigns. The object is a campaign (its branch decides; a
    bank-wide campaign is head office's), or None for "on some campaign"; targeting and
    recipients are restricted to the customers the action reaches (`restrict`)."""

    VIEW = "view_campaigns"  # see a campaign, its preview and its results
    MANAGE = "manage_campaigns"  # prepare, submit, schedule and cancel; whom it may target
    APPROVE = "approve_campaigns"  # approve a large campaign someone else prepared
    RECORD_RESPONSE = "record_campaign_response"  # record that a recipient responded or converted


class Scope(StrEnum):
    """Which records a capability reaches."""

    VISIBLE = "visible"  # every record the user sees
    BRANCH = "branch"  # records of the user's own branch; every record for head office
    HEAD_OFFICE = "head_office"  # only users who see every customer (head office, core banking)
    CLEAR = "clear"  # records the user sees entirely in clear (the book's RM, a delegate, core banking)


@dataclass(frozen=True)
class Grant:
    """Holding any of `capabilities` (model-level codenames) lets a user act within `scope`."""

    capabilities: tuple[str, ...]
    scope: Scope


# The one table of who may do what. An action is allowed when any of its grants holds.
# Model-level codenames come from the role groups (ROLE_PERMISSIONS below, granted by a
# migration) or from an administrator; "head office" means holding view_customer for every
# customer (compliance officers, core banking).
RULES: dict[str, tuple[Grant, ...]] = {
    CustomerAction.ADD: (Grant((ADD,), Scope.BRANCH),),
    CustomerAction.CHANGE: (Grant((CHANGE,), Scope.VISIBLE),),
    CustomerAction.CHANGE_BRANCH: (Grant((REASSIGN,), Scope.BRANCH), Grant((CHANGE,), Scope.HEAD_OFFICE)),
    CustomerAction.CHANGE_REFERENCE: (Grant((CHANGE,), Scope.HEAD_OFFICE),),
    CustomerAction.REASSIGN: (Grant((REASSIGN,), Scope.BRANCH),),
    CustomerAction.OVERRIDE_SEGMENT: (Grant((REASSIGN,), Scope.BRANCH),),
    CustomerAction.REVEAL: (Grant((REVEAL,), Scope.BRANCH),),
    CustomerAction.EXPORT: (Grant((EXPORT,), Scope.VISIBLE),),
    CustomerAction.IMPORT: (Grant((IMPORT,), Scope.BRANCH),),
    CustomerAction.MERGE: (Grant((REASSIGN,), Scope.BRANCH),),
    CustomerAction.MANAGE_BOOKS: (Grant((REASSIGN,), Scope.BRANCH),),
    CustomerAction.CHANGE_HOLDINGS: (Grant((CHANGE,), Scope.CLEAR),),
    CustomerAction.LOG_INTERACTION: (Grant((ADD, CHANGE), Scope.VISIBLE),),
    # A person's interaction always names them; only core banking and the channels' service
    # accounts (head office with change) speak for a system.
    CustomerAction.LOG_FOR_SYSTEM: (Grant((CHANGE,), Scope.HEAD_OFFICE),),
    CustomerAction.RECORD_NEED: (Grant((ADD, CHANGE), Scope.VISIBLE),),
    # The customer's RM or the delegate covering the book (who see it in clear), and the
    # branch manager for the branch's customers.
    CustomerAction.WORK_FOLLOW_UP: (Grant((CHANGE,), Scope.CLEAR), Grant((REASSIGN,), Scope.BRANCH)),
    CustomerAction.MANAGE_CONSENT: (Grant((ADD, CHANGE), Scope.VISIBLE),),
    CustomerAction.PLACE_HOLD: (Grant((ADD, CHANGE), Scope.VISIBLE),),
    # Head office only (compliance officers, who also must hold their role to handle requests).
    CustomerAction.APPLY_PRIVACY_REQUEST: (Grant((REVEAL,), Scope.HEAD_OFFICE),),
    # Campaigns are the branch manager's for their branch and head office's for the bank; an
    # RM runs none. Compliance (head office) reads them all.
    CampaignAction.VIEW: (Grant((MANAGE_CAMPAIGN, APPROVE_CAMPAIGN), Scope.BRANCH),
                          Grant((VIEW,), Scope.HEAD_OFFICE)),
    CampaignAction.MANAGE: (Grant((MANAGE_CAMPAIGN,), Scope.BRANCH),),
    CampaignAction.APPROVE: (Grant((APPROVE_CAMPAIGN,), Scope.BRANCH),),
    # The campaign's managers, and core banking or the app reporting what the customer did.
    CampaignAction.RECORD_RESPONSE: (Grant((MANAGE_CAMPAIGN,), Scope.BRANCH),
                                     Grant((CHANGE,), Scope.HEAD_OFFICE)),
    # Like follow-ups: the customer's RM or the delegate, and the branch manager.
    CustomerAction.WORK_OFFERS: (Grant((CHANGE,), Scope.CLEAR), Grant((REASSIGN,), Scope.BRANCH)),
    # The acceptance report: the branch manager for the branch, head office for everyone.
    CustomerAction.REPORT_OFFERS: (Grant((REASSIGN,), Scope.BRANCH), Grant((VIEW,), Scope.HEAD_OFFICE)),
}

REFUSALS = {
    CustomerAction.VIEW: _("You may not see this customer."),
    CustomerAction.VIEW_CLEAR: _("You may not see this customer's details in clear."),
    CustomerAction.ADD: _("You may add customers only to your own branch."),
    CustomerAction.CHANGE: _("You may not change this customer's details."),
    CustomerAction.CHANGE_BRANCH: _("Only the branch manager or head office may move a customer to "
                                    "another branch."),
    CustomerAction.CHANGE_REFERENCE: _("Only core banking may change a customer's reference."),
    CustomerAction.REASSIGN: _("You may reassign only your branch's customers."),
    CustomerAction.OVERRIDE_SEGMENT: _("You may set the segment of your branch's customers only."),
    CustomerAction.REVEAL: _("You may not reveal this customer's details."),
    CustomerAction.EXPORT: _("You may not export customers."),
    CustomerAction.IMPORT: _("You may not import customers or holdings."),
    CustomerAction.MERGE: _("You may merge only customers of your own branch."),
    CustomerAction.MANAGE_BOOKS: _("Only a branch manager may manage books."),
    CustomerAction.CHANGE_HOLDINGS: _("You may change holdings only of customers whose details you see "
                                      "in clear."),
    CustomerAction.LOG_INTERACTION: _("You may not log interactions for this customer."),
    CustomerAction.LOG_FOR_SYSTEM: _("Only a service account may log an interaction in a system's name; "
                                     "yours name you."),
    CustomerAction.RECORD_NEED: _("You may not record needs for this customer."),
    CustomerAction.WORK_FOLLOW_UP: _("You may not work this customer's follow-ups."),
    CustomerAction.MANAGE_CONSENT: _("You may not record consent for this customer."),
    CustomerAction.PLACE_HOLD: _("You may not place or lift contact holds for this customer."),
    CustomerAction.APPLY_PRIVACY_REQUEST: _("Only compliance carries out privacy requests."),
    CampaignAction.VIEW: _("You may not see campaigns."),
    CampaignAction.MANAGE: _("Only a branch manager (for the branch) or head office may run campaigns."),
    CampaignAction.APPROVE: _("You may not approve campaigns."),
    CampaignAction.RECORD_RESPONSE: _("You may not record responses to campaigns."),
    CustomerAction.WORK_OFFERS: _("You may not work this customer's offers."),
    CustomerAction.REPORT_OFFERS: _("Only branch managers and head office see the offer reports."),
    SettingsAction.SEGMENT_RULES: _("You may not change the segmentation rules."),
    SettingsAction.CONTACT_PLANS: _("You may not change the contact plans."),
    SettingsAction.TRIGGER_RULES: _("You may not change the trigger rules."),
    SettingsAction.ADD_EXCHANGE_RATE: _("You may not change the exchange rates."),
    SettingsAction.CHANGE_EXCHANGE_RATE: _("You may not change the exchange rates."),
    SettingsAction.CONTACT_CAPS: _("You may not change the contact caps."),
    SettingsAction.OFFER_CATALOGUE: _("You may not change the offer catalogue."),
    SettingsAction.OFFER_RULES: _("You may not change the offer rules."),
}


def extend_policy(*, rules: dict[str, tuple[Grant, ...]] | None = None,
                  settings_rules: dict[str, tuple[str, ...]] | None = None,
                  refusals: dict | None = None) -> None:
    """Add a higher app's actions on customers to the one policy table (call from its
    AppConfig.ready()): `rules` are actions on a customer decided by grants and scopes like
    CustomerAction's, `settings_rules` configuration actions decided by Django permissions like
    SettingsAction's, `refusals` the message for each. The same `allows`, `check` and
    `restrict` then answer for them. An action name is added once; a second app naming an
    existing action is a programming error."""
    for table, extra in ((RULES, rules or {}), (SETTINGS_RULES, settings_rules or {})):
        for action, value in extra.items():
            if action in RULES or action in SETTINGS_RULES:
                raise ImproperlyConfigured(f"The policy already has an action named {action!r}.")
            table[action] = value
    REFUSALS.update(refusals or {})


def _is_active_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_head_office(user) -> bool:
    """Whether `user` sees every customer (view_customer held for the whole model)."""
    return VIEW in model_permissions(user)


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


def _visible_ids(user) -> dict[int, bool]:
    cached = getattr(user, "_customer_visible", None)
    if cached is None:
        cached = user._customer_visible = {}
    return cached


def sees(user, customer: Customer) -> bool:
    """Whether `user` may see `customer` (the VIEW rule for one record; cached per request)."""
    if not _is_active_user(user) or customer.pk is None:
        return False
    if is_head_office(user):
        return True
    branch_id = user_branch_id(user)
    if branch_id and customer.home_branch_id == branch_id and user_roles(user) & BRANCH_ROLES:
        return True
    if customer.relationship_manager_id and customer.relationship_manager_id in delegated_managers(user):
        return True
    cache = _visible_ids(user)
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
        if not _is_active_user(user):
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
        if not _is_active_user(user):
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
        if not objects or not _is_active_user(user):
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


def forget_access(user) -> None:
    """Drop what the policy has read about `user`'s access in this request (call after a
    change to their grants: a reveal, a reassignment, a delegation)."""
    for name in ("_customer_clear", "_customer_visible", "_customer_delegations", "_customer_holds_grants",
                 "_customer_grants"):
        user.__dict__.pop(name, None)


def _every_field_name() -> list[str]:
    return list(access.sensitive_fields(Customer))


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
    if not _is_active_user(user):
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
