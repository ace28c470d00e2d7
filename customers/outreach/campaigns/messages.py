"""A campaign's subject and body are templates. Their only placeholders are `{name}` (the
customer's display name, which the channel delivers to the customer alone) and `{bank}`; any
other placeholder, or a stray brace, is refused when the campaign is saved, so no template can
pull personal data into a message."""

from __future__ import annotations

import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PLACEHOLDERS = frozenset({"name", "bank"})


def template_errors(text: str) -> list[str]:
    """What is wrong with the template `text` (empty: nothing)."""
    try:
        fields = [parsed[1] for parsed in string.Formatter().parse(text or "") if parsed[1] is not None]
    except ValueError:
        return [_("Write placeholders as {name} or {bank}; a lone brace is not allowed.")]
    unknown = sorted({name for name in fields if name not in PLACEHOLDERS})
    if unknown:
        return [_("Only the placeholders {name} and {bank} may be used, not: %(names)s.") % {
            "names": ", ".join(f"{{{name}}}" for name in unknown)}]
    return []


def validate_templates(*, subject: str, body: str) -> None:
    """Raise ValidationError (by field) for a template with an unknown placeholder or a stray
    brace."""
    errors = {}
    for name, text in (("subject", subject), ("body", body)):
        problems = template_errors(text)
        if problems:
            errors[name] = problems
    if errors:
        raise ValidationError(errors)


def render(text: str, *, name: str) -> str:
    """The template filled in for one customer."""
    return (text or "").format_map({"name": name, "bank": settings.BANK_NAME})
