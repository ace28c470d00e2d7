"""Template questions about what the signed-in user may do with customers, asked of the
policy (for page furniture such as a header button; the views ask again before acting)."""

from __future__ import annotations

from django import template

from customers import permissions
from customers.permissions import CustomerAction

register = template.Library()


@register.simple_tag
def may_add_customers(user) -> bool:
    """Whether `user` may add customers somewhere (the policy's ADD, on no record yet)."""
    return permissions.allows(user, CustomerAction.ADD)
