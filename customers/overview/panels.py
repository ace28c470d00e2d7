"""Panels that higher apps add to the customer's 360° page.

The customers app does not import the apps above it (loyalty, feedback); they register a
panel from their AppConfig.ready(), the way they register their sensitive fields with the
trust layer, and the page asks each for its context when it is drawn:

    register_customer_panel(CustomerPanel(name="points", template="loyalty/_customer_points.html",
                                          context=points_panel, order=20))

`context(actor, customer)` returns the template's context for that actor (restricted and
masked by the registering app, which asks the one policy), or None to leave the panel out
(the actor may not see it). A panel's template reads its context as `panel`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class CustomerPanel:
    name: str
    template: str
    context: Callable[..., dict | None]
    order: int = 100
    column: str = "side"  # "main" beside the profile and holdings, "side" beside the timeline


_PANELS: dict[str, CustomerPanel] = {}


def register_customer_panel(panel: CustomerPanel) -> None:
    """Add `panel` to every customer's page (once per name)."""
    if panel.column not in ("main", "side"):
        raise ImproperlyConfigured(f"A customer panel goes in the main or the side column, "
                                   f"not {panel.column!r}.")
    if panel.name in _PANELS and _PANELS[panel.name] != panel:
        raise ImproperlyConfigured(f"A customer panel named {panel.name!r} is already registered.")
    _PANELS[panel.name] = panel


def unregister_customer_panel(name: str) -> None:
    _PANELS.pop(name, None)


def customer_panels(*, actor, customer) -> dict[str, list[dict]]:
    """The registered panels the actor sees on `customer`'s page, by column, in order: each
    {"name", "template", "context"}."""
    columns: dict[str, list[dict]] = {"main": [], "side": []}
    for panel in sorted(_PANELS.values(), key=lambda item: (item.order, item.name)):
        context = panel.context(actor, customer)
        if context is not None:
            columns[panel.column].append({"name": panel.name, "template": panel.template, "context": context})
    return columns
