"""Links into the audit pages for templates of other apps, shown only to those who may open them."""

from __future__ import annotations

from django import template

from compliance.permissions import is_compliance_officer

register = template.Library()


@register.inclusion_tag("compliance/includes/customer_access_link.html", takes_context=True)
def customer_access_link(context, number: str) -> dict:
    """The "Who saw this customer" link for the customer `number`, or nothing for a user who
    may not see the audit trail."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"number": number, "allowed": bool(number) and is_compliance_officer(user)}
