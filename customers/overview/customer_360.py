"""The customer 360° page as one read: `customer_360(actor=..., customer=...)`.

It composes everything the page shows, each part restricted and masked for the actor, and
what the actor may do there (asked of `customers.permissions.allows`), in a fixed number of
queries whatever the size of the customer's record: relationships (with whether the actor
may see each related customer), the clear fields of the customer and the related customers,
the segment override, holdings, needs, the first page of the timeline, history, the clear
fields of each kind of record shown (holdings, needs, interactions: the policy asks about the
customer again for each), the consent and contact panel (one query), and the actor's reveal
grants where the actor may reveal (read with the clear fields), and the panels higher apps
register (`customers.overview.panels`), each with its own queries.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from compliance.access import RecordView
from crm.pagination import keyset_paginate
from customers import outreach, permissions, segmentation
from customers.models import Customer, Relationship, SegmentOverride
from customers.overview import display
from customers.overview.panels import customer_panels
from customers.permissions import CustomerAction
from customers.selectors.customers import customer_list

TIMELINE_PAGE_SIZE = 20
HISTORY_LIMIT = 50
HOLDINGS_LIMIT = 200
NEEDS_LIMIT = 50
GRAPH_LIMIT = 16


@dataclass(frozen=True)
class Customer360:
    """Everything the 360° page shows of one customer to one actor.

    Rows are dicts ready for the templates (see `customers.overview.display`); `view` is the
    customer's RecordView; the `may_*` flags say which actions to offer.
    """

    customer: Customer
    view: RecordView
    every_clear: bool
    aum: dict
    segment: dict
    contact_rows: list[dict]
    profile_rows: list[dict]
    holdings: list[dict]
    needs: list[dict]
    relationships: list[dict]
    graph: dict | None
    household: dict
    timeline: dict
    history: list[dict]
    grants: list[dict]
    merged_into_visible: bool
    may_act: bool
    may_record_need: bool
    may_reveal: bool
    may_edit: bool
    may_reassign: bool
    may_override_segment: bool
    contact: dict
    may_manage_consent: bool
    may_place_hold: bool
    panels: dict

    def as_context(self) -> dict:
        """The attributes as a template context (shallow: the records stay as they are)."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


def customer_timeline(*, actor, customer: Customer, before: int | None = None) -> dict:
    """A page of `customer`'s interactions, newest first, from before the interaction with id
    `before` (None: the newest), each summary masked for `actor`: {"items", "more"}, where
    `more` is the cursor for the next page (None at the end). `customer` must be one `actor`
    may see (from `customer_get`)."""
    queryset = customer.interactions.select_related("staff").order_by("-occurred_at", "-pk")
    page = keyset_paginate(queryset, size=TIMELINE_PAGE_SIZE, after=before)
    items = display.timeline_items(RecordView.for_objects(actor, page.rows))
    return {"items": items, "more": page.next_after}


def customer_needs(*, actor, customer: Customer) -> list[dict]:
    """`customer`'s latest needs, newest first, each note masked for `actor`."""
    needs = customer.needs.select_related("recorded_by").order_by("-recorded_at", "-pk")[:NEEDS_LIMIT]
    return display.need_rows(RecordView.for_objects(actor, needs))


def _relationships(actor, customer: Customer) -> tuple[list[Relationship], set[int]]:
    """The customer's relationships and the ids of the related customers `actor` may see
    (one query: visibility is asked of the policy inside it)."""
    visible = customer_list(actor=actor, base=Customer.objects.filter(merged_into__isnull=True))
    relationships = list(
        Relationship.objects.filter(Q(from_customer=customer) | Q(to_customer=customer))
        .select_related("from_customer", "to_customer")
        .annotate(
            from_visible=Exists(visible.filter(pk=OuterRef("from_customer_id"))),
            to_visible=Exists(visible.filter(pk=OuterRef("to_customer_id"))),
        )
        .order_by("kind", "pk")[: GRAPH_LIMIT * 2]
    )
    shown = set()
    for relationship in relationships:
        if relationship.from_visible:
            shown.add(relationship.from_customer_id)
        if relationship.to_visible:
            shown.add(relationship.to_customer_id)
    shown.discard(customer.pk)
    return relationships, shown


def _history(customer: Customer) -> list[dict]:
    events = list(
        customer.history.select_related("actor").order_by("-occurred_at", "-pk")[:HISTORY_LIMIT]
    )
    names = {event.actor_id: event.actor.get_full_name() or event.actor.get_username()
             for event in events if event.actor is not None}
    mentioned = set().union(*(display.history_user_ids(event) for event in events)) - set(names)
    if mentioned:
        names.update(
            (user.pk, user.get_full_name() or user.get_username())
            for user in get_user_model().objects.filter(pk__in=mentioned).only(
                "pk", "first_name", "last_name", "username")
        )
    return [{"event": event, "sentence": display.history_sentence(event, names)} for event in events]


def _override_view(actor, customer: Customer, explanation: dict) -> RecordView | None:
    override = explanation["override"]
    if override is None:
        return None
    # The explanation read the override row; its RecordView needs no second read.
    record = SegmentOverride(pk=override["id"], customer=customer, reason=override["reason"],
                             expires_on=override["expires_on"])
    return RecordView.for_object(actor, record)


def customer_360(*, actor, customer: Customer, interactions_before: int | None = None) -> Customer360:
    """The 360° page of `customer` for `actor`: profile, holdings, needs, relationships and
    their graph, the household's assets, the segment and why, the timeline (from before the
    interaction `interactions_before`, None for the newest) and history, consent, holds and
    the latest contacts and refusals, the actor's live reveal grants, and what the actor may do.

    `customer` must come from `customer_get` (visible to `actor`, with its profile and branch
    joined); this selector checks nothing more about visibility of the customer itself.
    """
    relationships, visible = _relationships(actor, customer)
    visible_others = {}
    for relationship in relationships:
        for other in (relationship.from_customer, relationship.to_customer):
            if other.pk in visible:
                visible_others.setdefault(other.pk, other)
    views = RecordView.for_objects(actor, [customer, *visible_others.values()])
    view = views[0]
    views_by_pk = {item.obj.pk: item for item in views}
    contact, profile = display.profile_rows(view)
    explanation = segmentation.segment_explanation(customer)
    holdings = customer.holdings.order_by("status", "product_type", "opened_on", "pk")[:HOLDINGS_LIMIT]
    may_reveal = permissions.allows(actor, CustomerAction.REVEAL, customer)
    grants = permissions.live_reveal_grants(actor, customer) if may_reveal else []
    merged_into_visible = bool(customer.merged_into_id) and customer_list(actor=actor).filter(
        pk=customer.merged_into_id).exists()
    return Customer360(
        customer=customer,
        view=view,
        every_clear=view.sees_all,
        aum=display.amount_value(view.field("aum")),
        segment=display.segment_explanation(explanation, view, _override_view(actor, customer, explanation)),
        contact_rows=contact,
        profile_rows=profile,
        holdings=display.holding_rows(RecordView.for_objects(actor, holdings)),
        needs=customer_needs(actor=actor, customer=customer),
        relationships=display.relationship_rows(customer, relationships, visible),
        graph=display.relationship_graph(customer, relationships, visible) if relationships else None,
        household=display.household_totals(customer, relationships, views_by_pk),
        timeline=customer_timeline(actor=actor, customer=customer, before=interactions_before),
        history=_history(customer),
        grants=[{"grant": grant, "labels": display.sensitive_field_labels(grant.fields)} for grant in grants],
        merged_into_visible=merged_into_visible,
        may_act=permissions.allows(actor, CustomerAction.LOG_INTERACTION, customer),
        may_record_need=permissions.allows(actor, CustomerAction.RECORD_NEED, customer),
        may_reveal=may_reveal,
        may_edit=permissions.allows(actor, CustomerAction.CHANGE, customer),
        may_reassign=permissions.allows(actor, CustomerAction.REASSIGN, customer),
        may_override_segment=permissions.allows(actor, CustomerAction.OVERRIDE_SEGMENT, customer),
        contact=outreach.contact_panel(customer=customer),
        may_manage_consent=permissions.allows(actor, CustomerAction.MANAGE_CONSENT, customer),
        may_place_hold=permissions.allows(actor, CustomerAction.PLACE_HOLD, customer),
        panels=customer_panels(actor=actor, customer=customer),
    )
