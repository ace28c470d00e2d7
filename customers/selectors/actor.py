"""Who is asking, loaded once per request: the facts every policy decision reads about the user.

`customers.permissions` and `crm.roles` each look up what they need about the acting user
the first time they are asked in a request (role groups, model-level customer permissions,
staff profile and branch, the books the user covers today) and keep it on the user object
for the rest of the request. A page asks about all of them, which costs a query each;
`actor_load` reads them all in one query and leaves them where those lookups keep them, so
the answers are the same and only the number of queries changes.

The lookups it stands in for are `crm.roles.user_roles`, `customers.permissions.model_permissions`,
`customers.permissions.delegated_managers`, `customers.permissions.holds_customer_grants` and
`user.staff_profile` (with its branch);
tests/customers/test_selectors.py checks that the answers agree for every role.

The customer list also shows the user's saved list views; `actor_load(user, list_views=True)`
reads those in the same query (`customers.selectors.list_view_list` then answers from them).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import JSONObject, Lower
from django.utils import timezone

from crm.models import StaffProfile
from crm.roles import ROLE_PRECEDENCE, remember_roles
from customers import permissions
from customers.models import BookDelegation, Customer, CustomerUserObjectPermission, SavedListView

# Where the lookups above keep their answers for the request: loaded already when all are there.
_LOADED = ("_crm_roles", "_customer_model_perms", "_customer_delegations", "_customer_holds_grants")
# Where `actor_load(user, list_views=True)` leaves the user's saved list views for the request.
LIST_VIEWS_LOADED = "_customer_list_views"


def actor_load(user, *, list_views: bool = False) -> None:
    """Load `user`'s roles, customer permissions, staff profile with its branch, and today's
    delegations in one query, unless they are loaded already; with `list_views`, the user's
    saved list views too. Anonymous users need nothing."""
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return
    views_wanted = list_views and LIST_VIEWS_LOADED not in user.__dict__
    if all(name in user.__dict__ for name in _LOADED) and not views_wanted:
        return
    today = timezone.localdate()
    extra = {}
    if views_wanted:
        extra["list_views"] = ArraySubquery(
            SavedListView.objects.filter(owner=OuterRef("pk")).order_by(Lower("name"), "pk")
            .values(json=JSONObject(id="pk", name="name", filters="filters"))
        )
    row = (
        get_user_model().objects.filter(pk=user.pk)
        .annotate(**extra)
        .annotate(
            role_names=ArraySubquery(
                Group.objects.filter(user=OuterRef("pk"), name__in=ROLE_PRECEDENCE).values("name")
            ),
            customer_permissions=ArraySubquery(
                Permission.objects.filter(content_type__app_label=Customer._meta.app_label)
                .filter(Q(group__user=OuterRef("pk")) | Q(user=OuterRef("pk")))
                .values("codename")
            ),
            holds_grants=Exists(CustomerUserObjectPermission.objects.filter(
                user_id=OuterRef("pk"), permission_id=permissions.permission_id(permissions.VIEW))),
            delegators=ArraySubquery(
                BookDelegation.objects.filter(
                    delegate=OuterRef("pk"), starts_on__lte=today, ends_on__gte=today,
                    revoked_at__isnull=True,
                ).values("relationship_manager_id")
            ),
        )
        .select_related("staff_profile__branch")
        .first()
    )
    if row is None:
        return
    remember_roles(user, row.role_names)
    permissions.remember_actor(user, model_permissions=row.customer_permissions, delegations=row.delegators,
                               holds_grants=row.holds_grants)
    try:
        profile = row.staff_profile
    except StaffProfile.DoesNotExist:
        get_user_model().staff_profile.related.set_cached_value(user, None)
    else:
        user.staff_profile = profile
    if views_wanted:
        owned = [SavedListView(pk=item["id"], owner_id=user.pk, name=item["name"], filters=item["filters"])
                 for item in row.list_views]
        may_have = permissions.allows(user, permissions.CustomerAction.VIEW)
        user.__dict__[LIST_VIEWS_LOADED] = owned if may_have else []


def actor_sees(user, customer: Customer) -> None:
    """Remember that `user` may see `customer` (it was just read through the VIEW restriction),
    so that asking the policy about it again in this request reads nothing."""
    if getattr(user, "is_authenticated", False) and customer.pk is not None:
        permissions.remember_visible(user, customer.pk)
