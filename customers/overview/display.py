"""What the 360° page shows, row by row: profile rows, holdings, needs, the timeline, history
sentences, the relationship graph and the household's total.

Every sensitive value comes from a `compliance.access.RecordView` of its own record (the
customer, a holding, a need, an interaction, a segment override), so the trust layer decides
what is clear and notes what was shown in clear for the request's `pii.revealed` event; no
function here writes a mask or an audit note itself.
"""

from __future__ import annotations

import math
import unicodedata
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils.translation import gettext as _

from compliance import access, masking
from compliance.access import DisplayValue, RecordView
from customers import segmentation
from customers.models import (
    HOUSEHOLD_KINDS,
    SEGMENT_RANK,
    CorporateProfile,
    Customer,
    CustomerEvent,
    CustomerEventKind,
    CustomerStatus,
    IndividualProfile,
    NeedStatus,
    ProductType,
    Relationship,
    Segment,
)

GRAPH_WIDTH, GRAPH_HEIGHT = 600, 400
GRAPH_RADIUS = 200
# A node's name is wrapped into at most two lines of this many characters (the full name is
# the node's title); the box is sized from an over-estimate of the text's width.
GRAPH_LINE_CHARS = 18
GRAPH_LINES = 2
GRAPH_CHAR_WIDTH, GRAPH_WIDE_CHAR_WIDTH = 7.5, 13.5
GRAPH_LINE_HEIGHT, GRAPH_PADDING = 15, 6


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


def compact_amount(value) -> str:
    """7200000 -> "7.2M", 6000000 -> "6M", 250000 -> "250K"."""
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    for threshold, suffix in ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "K")):
        if abs(amount) >= threshold:
            scaled = (amount / threshold).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            return f"{format(scaled.normalize(), 'f')}{suffix}"
    return format(amount.normalize(), "f")


def amount_value(shown: DisplayValue) -> dict:
    """A money DisplayValue as {"text", "masked"}, with digit grouping when in clear."""
    if shown.masked or shown.value is None:
        return {"text": shown.text, "masked": shown.masked}
    return {"text": f"{Decimal(shown.value):,.2f}", "masked": False}


def _field_row(label, value) -> dict:
    return {"label": label, "text": "" if value in (None, "") else str(value), "masked": False}


def _sensitive_row(view: RecordView, name: str) -> dict:
    spec = access.sensitive_fields(type(view.obj))[name]
    shown = view.field(name)
    row = amount_value(shown) if spec.mask_kind == "amount" else {"text": shown.text, "masked": shown.masked}
    return {"label": spec.label, **row}


def field_labels(names) -> str:
    """Model field names of a customer or its profile as their translated labels, joined."""
    labels = []
    for name in names or []:
        label = name
        for model in (Customer, IndividualProfile, CorporateProfile):
            try:
                label = str(model._meta.get_field(name).verbose_name)
                break
            except FieldDoesNotExist:
                continue
        labels.append(label)
    return ", ".join(labels)


def sensitive_field_labels(names) -> str:
    """Names of the customer's sensitive fields (as in a RevealGrant) as their labels, joined."""
    specs = access.sensitive_fields(Customer)
    return ", ".join(str(specs[name].label) for name in names if name in specs)


# ---------------------------------------------------------------------------------------------
# Profile, holdings, needs, timeline
# ---------------------------------------------------------------------------------------------


def profile_rows(view: RecordView) -> tuple[list[dict], list[dict]]:
    """(contact rows, profile rows) of the customer `view` shows."""
    customer = view.obj
    contact = [_sensitive_row(view, name) for name in ("id_number", "phone", "email", "address")]
    if customer.is_individual:
        profile = customer.individual
        rows = [
            _field_row(_("Given name"), profile.given_name),
            _field_row(_("Family name"), profile.family_name),
            _field_row(_("Name in Chinese"), profile.local_name),
            _field_row(_("Gender"), profile.get_gender_display()),
            _sensitive_row(view, "date_of_birth"),
            _field_row(_("Occupation"), profile.occupation),
            _field_row(_("Employer"), profile.employer),
            _sensitive_row(view, "annual_income"),
            _field_row(_("Preferred language"), profile.get_preferred_language_display()),
            _field_row(_("Preferred channel"), profile.get_preferred_channel_display()),
            _field_row(_("Credit rating"), profile.credit_rating),
            _field_row(_("Risk tolerance"), profile.get_risk_tolerance_display()),
        ]
    else:
        profile = customer.corporate
        rows = [
            _field_row(_("Legal name"), profile.legal_name),
            _field_row(_("Industry"), profile.industry),
            _field_row(_("Employees"), profile.employees),
            _sensitive_row(view, "annual_revenue"),
            _field_row(_("Countries of operation"), ", ".join(profile.countries_of_operation)),
            _field_row(_("Parent group"), profile.parent_group),
            _field_row(_("Credit rating"), profile.credit_rating),
        ]
    return contact, rows


def holding_rows(holding_views: list[RecordView]) -> list[dict]:
    """Holdings with the account number and the balance through each holding's RecordView
    (a balance is clear exactly when the customer's assets under management are)."""
    rows = []
    for view in holding_views:
        account = view.field("account_number")
        balance = view.field("balance")
        rows.append({
            "holding": view.obj,
            "account": account.text,
            "account_masked": account.masked,
            "balance": balance.text if balance.masked else f"{balance.value:,.2f}",
            "balance_masked": balance.masked,
        })
    return rows


def need_rows(need_views: list[RecordView]) -> list[dict]:
    """Needs, newest first as given, with each note through the need's RecordView."""
    rows = []
    for view in need_views:
        need = view.obj
        note = view.field("note")
        rows.append({"need": need, "note": note.text, "note_masked": note.masked,
                     "is_open": need.status in (NeedStatus.OPEN, NeedStatus.IN_PROGRESS)})
    return rows


def timeline_items(interaction_views: list[RecordView]) -> list[dict]:
    """Interactions with each summary through the interaction's RecordView, and who logged it."""
    items = []
    for view in interaction_views:
        interaction = view.obj
        summary = view.field("summary")
        author = interaction.staff
        items.append({
            "interaction": interaction,
            "summary": summary.text,
            "masked": summary.masked,
            "author": (author.get_full_name() or author.get_username()) if author else interaction.system,
        })
    return items


# ---------------------------------------------------------------------------------------------
# The segment and why
# ---------------------------------------------------------------------------------------------


def _metric_text(metric, value) -> str:
    if value is None or value == "":
        return ""
    if metric is not None and metric.value_kind in (segmentation.AMOUNT, segmentation.BAND):
        return compact_amount(value)
    return str(value)


def segment_explanation(explanation: dict, view: RecordView, override_view: RecordView | None) -> dict:
    """Why the customer is in their segment ("Private banking since 2026-03-01: AUM 7.2M ≥ 6M"),
    from `segmentation.segment_explanation`, for display.

    A figure taken from a sensitive field (AUM, income, revenue) is shown when `view` shows
    that field in clear, and the read is noted through it; otherwise it is masked as the field
    is. An override's reason is read through `override_view`, the override's RecordView.
    """
    customer = view.obj
    fields = access.sensitive_fields(Customer)
    conditions = []
    for condition in explanation["conditions"]:
        metric = segmentation.METRICS.get(condition.get("metric"))
        if metric is None:
            continue
        if metric.value_kind == segmentation.PRODUCT:
            product = condition.get("value")
            label = ProductType(product).label if product in ProductType.values else product
            conditions.append({"label": metric.label, "value": label, "masked": False, "operator": "",
                               "threshold": ""})
            continue
        field = segmentation.SENSITIVE_METRIC_FIELDS.get(metric.name)
        figure = _metric_text(metric, condition.get("figure"))
        masked = field is not None and not view.is_clear(field)
        if field is not None and not masked:
            view.field(field)  # the figure is the field's value (or its band) in clear
        conditions.append({
            "label": metric.label,
            "value": masking.mask(figure, fields[field].mask_kind) if masked else figure,
            "masked": masked,
            "operator": segmentation.OP_SYMBOLS.get(condition.get("op"), condition.get("op", "")),
            "threshold": _metric_text(metric, condition.get("value")),
        })
    override = explanation["override"]
    reason = override_view.field("reason") if override_view is not None else None
    return {
        "label": explanation["segment_label"] or customer.get_segment_display(),
        "since": explanation["since"],
        "conditions": conditions,
        "rule_version": explanation["version"],
        "is_default_rule": explanation["version"] is not None and not conditions,
        "override": override and {
            "expires_on": override["expires_on"],
            "reason": reason.text,
            "reason_masked": reason.masked,
        },
    }


# ---------------------------------------------------------------------------------------------
# History
# ---------------------------------------------------------------------------------------------


def _segment_label(code) -> str:
    try:
        return str(Segment(code).label)
    except ValueError:
        return str(code)


def _status_label(code) -> str:
    try:
        return str(CustomerStatus(code).label)
    except ValueError:
        return str(code)


def history_user_ids(event: CustomerEvent) -> set[int]:
    """Ids of the users `history_sentence` names for `event`, besides its actor."""
    if event.kind != CustomerEventKind.REASSIGNED:
        return set()
    data = event.data or {}
    return {value for value in (data.get("from"), data.get("to")) if isinstance(value, int)}


def history_sentence(event: CustomerEvent, names: dict[int, str]) -> str:
    """A CustomerEvent (ids and codes) as a sentence a member of staff reads; `names` maps
    the user ids it mentions to display names."""
    data = event.data or {}
    actor = names.get(event.actor_id) or _("the system")
    kind = event.kind
    if kind == CustomerEventKind.CREATED:
        return _("%(actor)s created the customer record.") % {"actor": actor}
    if kind == CustomerEventKind.UPDATED:
        fields = field_labels(data.get("fields")) or _("the details")
        return _("%(actor)s updated %(fields)s.") % {"actor": actor, "fields": fields}
    if kind == CustomerEventKind.SEGMENT_OVERRIDDEN:
        action = data.get("action", "set")
        if action == "ended":
            return _("%(actor)s ended the manual segment.") % {"actor": actor}
        if action == "expired":
            return _("The manual segment expired.")
        sentence = _("%(actor)s set the segment to %(segment)s by hand") % {
            "actor": actor, "segment": _segment_label(data.get("to") or data.get("segment"))}
        if data.get("expires_on"):
            sentence += " " + _("until %(date)s") % {"date": data["expires_on"]}
        return sentence + "."
    if kind == CustomerEventKind.SEGMENT_CHANGED:
        previous, new = data.get("from"), data.get("to")
        if previous in SEGMENT_RANK and new in SEGMENT_RANK:
            template = (_("Moved up to %(segment)s (from %(previous)s).")
                        if SEGMENT_RANK[new] > SEGMENT_RANK[previous]
                        else _("Moved down to %(segment)s (from %(previous)s)."))
            sentence = template % {"segment": _segment_label(new), "previous": _segment_label(previous)}
            if data.get("version"):
                sentence += " " + _("(rules v%(version)s)") % {"version": data["version"]}
            return sentence
        return _("Segment changed to %(segment)s.") % {"segment": _segment_label(new)}
    if kind == CustomerEventKind.REASSIGNED:
        previous = names.get(data.get("from")) if data.get("from") else None
        new = names.get(data.get("to")) or _("nobody")
        if previous:
            return _("%(actor)s reassigned the customer from %(previous)s to %(new)s.") % {
                "actor": actor, "previous": previous, "new": new}
        return _("%(actor)s assigned the customer to %(new)s.") % {"actor": actor, "new": new}
    if kind == CustomerEventKind.STATUS_CHANGED:
        return _("Status changed from %(previous)s to %(new)s.") % {
            "previous": _status_label(data.get("from")), "new": _status_label(data.get("to"))}
    if kind == CustomerEventKind.MERGED:
        return _("%(actor)s merged a duplicate record into this one.") % {"actor": actor}
    if kind == CustomerEventKind.UNMERGED:
        return _("%(actor)s reversed a merge.") % {"actor": actor}
    if kind == CustomerEventKind.IMPORTED:
        return _("Imported from a file by %(actor)s.") % {"actor": actor}
    return str(event.get_kind_display())


# ---------------------------------------------------------------------------------------------
# Relationships and the household
# ---------------------------------------------------------------------------------------------


def _other(customer, relationship: Relationship):
    outgoing = relationship.from_customer_id == customer.pk
    return outgoing, relationship.to_customer if outgoing else relationship.from_customer


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _label_width(text: str) -> float:
    return sum(GRAPH_WIDE_CHAR_WIDTH if _wide(char) else GRAPH_CHAR_WIDTH for char in text)


def _label_lines(name: str) -> list[str]:
    """`name` in at most GRAPH_LINES lines of about GRAPH_LINE_CHARS characters, broken at
    spaces where there are any (a Chinese name breaks anywhere), the last one ending in "…"
    when the name is longer."""
    words = name.split() if " " in name else list(name)
    joiner = " " if " " in name else ""
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current}{joiner}{word}" if current else word
        if len(candidate) <= GRAPH_LINE_CHARS or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    lines = [line[:GRAPH_LINE_CHARS] for line in lines] or [""]
    if len(lines) > GRAPH_LINES or len(lines[-1]) < len(words[-1] if words else ""):
        lines = lines[:GRAPH_LINES]
        lines[-1] = lines[-1][: GRAPH_LINE_CHARS - 1].rstrip() + "…"
    return lines


def _node(x: float, y: float, name: str, **extra) -> dict:
    lines = _label_lines(name)
    width = max(_label_width(line) for line in lines) + 2 * GRAPH_PADDING
    height = len(lines) * GRAPH_LINE_HEIGHT + 2 * GRAPH_PADDING
    return {"x": x, "y": y, "title": name, "lines": [
        {"text": line, "y": round(y - height / 2 + GRAPH_PADDING + GRAPH_LINE_HEIGHT * (index + 0.8), 1)}
        for index, line in enumerate(lines)
    ], "box": {"x": round(x - width / 2, 1), "y": round(y - height / 2, 1), "width": round(width, 1),
               "height": round(height, 1)}, **extra}


def _to_edge(node: dict, dx: float, dy: float) -> tuple[float, float]:
    """Where the ray from `node`'s centre in direction (dx, dy) leaves its box."""
    half_width, half_height = node["box"]["width"] / 2, node["box"]["height"] / 2
    scale = min(half_width / abs(dx) if dx else math.inf, half_height / abs(dy) if dy else math.inf)
    return node["x"] + dx * scale, node["y"] + dy * scale


def relationship_graph(customer, relationships: list[Relationship], visible: set[int]) -> dict:
    """Nodes and edges of the customer's relationships for an inline SVG, laid out on an
    ellipse around the customer. Each name sits in a box sized to hold it (wrapped, shortened
    with "…" past two lines, the full name as the node's title); arrows run from box edge to
    box edge. A related customer the viewer may not see (not in `visible`) is a nameless
    "another customer" node, without a link."""
    others: dict[int, object] = {}
    for relationship in relationships:
        _outgoing, other = _other(customer, relationship)
        others.setdefault(other.pk, other)
    cx, cy = GRAPH_WIDTH / 2, GRAPH_HEIGHT / 2
    nodes = {customer.pk: _node(cx, cy, customer.display_name, href=None, centre=True, hidden=False)}
    for index, (other_id, other) in enumerate(others.items()):
        angle = -math.pi / 2 + 2 * math.pi * index / max(len(others), 1)
        x = round(cx + GRAPH_RADIUS * math.cos(angle), 1)
        y = round(cy + GRAPH_RADIUS * 0.75 * math.sin(angle), 1)
        shown = other_id in visible
        nodes[other_id] = _node(
            x, y, other.display_name if shown else str(_("another customer")), centre=False, hidden=not shown,
            href=reverse("customer-detail", args=[other_id]) if shown else None,
        )
    edges: dict[tuple[int, int], list[str]] = {}
    for relationship in relationships:
        key = (relationship.from_customer_id, relationship.to_customer_id)
        edges.setdefault(key, []).append(str(relationship.get_kind_display()))
    edge_list = []
    for (source, target), labels in edges.items():
        start, end = nodes[source], nodes[target]
        dx, dy = end["x"] - start["x"], end["y"] - start["y"]
        x1, y1 = _to_edge(start, dx, dy)
        x2, y2 = _to_edge(end, -dx, -dy)
        edge_list.append({
            "x1": round(x1, 1), "y1": round(y1, 1), "x2": round(x2, 1), "y2": round(y2, 1),
            "lx": round((x1 + x2) / 2, 1), "ly": round((y1 + y2) / 2 - 4, 1),
            "label": ", ".join(labels),
        })
    return {"nodes": list(nodes.values()), "edges": edge_list, "width": GRAPH_WIDTH, "height": GRAPH_HEIGHT}


def relationship_rows(customer, relationships: list[Relationship], visible: set[int]) -> list[dict]:
    """The relationships as table rows; a related customer not in `visible` goes unnamed."""
    rows = []
    for relationship in relationships:
        outgoing, other = _other(customer, relationship)
        shown = other.pk in visible
        rows.append({
            "kind": relationship.get_kind_display(),
            "outgoing": outgoing,
            "role": relationship.role,
            "share_percent": relationship.share_percent,
            "other_name": other.display_name if shown else _("another customer"),
            "other_href": reverse("customer-detail", args=[other.pk]) if shown else None,
        })
    return rows


def household_totals(customer, relationships: list[Relationship], views_by_pk: dict[int, RecordView]) -> dict:
    """Total AUM of the household (the customer, their spouse and household members),
    counting only the members whose AUM the viewer sees in clear (`views_by_pk`: the
    RecordViews of the customer and of the related customers the viewer may see)."""
    members = {customer.pk}
    for relationship in relationships:
        if relationship.kind in HOUSEHOLD_KINDS:
            members.update({relationship.from_customer_id, relationship.to_customer_id})
    total, counted = Decimal("0"), 0
    for member in sorted(members):
        view = views_by_pk.get(member)
        if view is not None and view.is_clear("aum"):
            total += view.field("aum").value or Decimal("0")
            counted += 1
    return {"members": len(members), "counted": counted, "total": total, "is_household": len(members) > 1}
