"""What every customer page shares: staff only, and one way to fetch the customer."""

from __future__ import annotations

import functools

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from crm.roles import Role, user_roles
from customers import selectors
from customers.models import Customer


def portal_page(view=None, *, list_views: bool = False):
    """Customer pages are for members of staff; machine identities use the API with tokens.

    `@portal_page(list_views=True)` also reads the user's saved list views with the rest
    (customers.selectors.actor_load), for the pages that show them.
    """
    if view is None:
        return functools.partial(portal_page, list_views=list_views)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        # Everything the policy asks about the user, in one query rather than one per question.
        selectors.actor_load(request.user, list_views=list_views)
        roles = user_roles(request.user)
        if roles and roles <= {Role.SERVICE_ACCOUNT.value}:
            raise PermissionDenied(_("Service accounts use the API, not the portal."))
        return view(request, *args, **kwargs)

    return wrapper


def get_customer(request, pk: int) -> Customer:
    """The customer `pk` if the user may see it; Http404 otherwise."""
    return selectors.customer_get(actor=request.user, pk=pk)


def is_htmx(request) -> bool:
    """Whether htmx sent the request (it wants a fragment, not a page)."""
    return bool(getattr(request, "htmx", None))
