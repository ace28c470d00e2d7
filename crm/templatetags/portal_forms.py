"""Template filters for showing forms the same way on every page."""

from __future__ import annotations

from django import template

from crm.forms import labelled_messages

register = template.Library()


@register.filter
def labelled_errors(form) -> list[str]:
    """A bound form's errors, each after its field's translated label (crm.forms.labelled_messages)."""
    return labelled_messages(form)
