"""Writes of suitable offers: refresh a customer's suggestions, generate them for every book
in batches, accept or dismiss one, save the catalogue and the rules.

Each runs in one transaction, asks the one policy first (WORK_OFFERS on the customer; the
settings actions for the catalogue and the rules), validates, and appends an audit event that
names fields and ids, never values. Suggestions are inserted with the unique open
(customer, product) constraint deciding, so a rerun or a concurrent refresh inserts nothing
twice; an open suggestion its rule no longer makes (or that became unsuitable) expires.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.audit import audit_record
from customers import permissions, services
from customers.models import (
    Channel,
    Customer,
    CustomerStatus,
    DismissReason,
    InteractionType,
    OfferRule,
    Product,
    Suggestion,
    SuggestionStatus,
)
from customers.outreach.offers.catalogue import product_validate
from customers.outreach.offers.evaluation import evaluate
from customers.outreach.offers.rules import active_rules, customer_facts, rule_validate
from customers.outreach.offers.selectors import recently_decided

OBJECT_TYPE = "customers.suggestion"
BATCH_SIZE = 2000
NOTE_MAX_LENGTH = 1000


@dataclass
class GenerationResult:
    customers: int = 0
    created: int = 0
    expired: int = 0

    def as_dict(self) -> dict:
        return {"customers": self.customers, "created": self.created, "expired": self.expired}


def _store(ids: list[int], rules: list[OfferRule], today: datetime.date) -> GenerationResult:
    """Suggest what the rules offer the customers of `ids` (but what the RM decided on lately),
    expire what they no longer offer."""
    facts = customer_facts(ids)
    result = GenerationResult(customers=len(facts))
    cooling = recently_decided(list(facts))
    wanted: dict[int, set[int]] = {}
    rows = []
    for customer_id, customer in facts.items():
        evaluation = evaluate(customer, rules, today=today)
        wanted[customer_id] = evaluation.product_ids
        rows.extend(Suggestion(customer_id=customer_id, product_id=offer.product.pk, rule=offer.rule,
                               rule_version=offer.rule.version, priority=offer.rule.priority,
                               reasons=offer.reasons) for offer in evaluation.offers
                    if (customer_id, offer.product.pk) not in cooling)
    stale = [pk for pk, customer_id, product_id in Suggestion.objects.filter(
        customer_id__in=list(facts), status=SuggestionStatus.OPEN,
    ).values_list("pk", "customer_id", "product_id")
        if product_id not in wanted.get(customer_id, set())]
    if stale:
        result.expired = Suggestion.objects.filter(pk__in=stale, status=SuggestionStatus.OPEN).update(
            status=SuggestionStatus.EXPIRED, decided_at=timezone.now())
    if rows:
        # Returns every row it was given, inserted or not; count what was really inserted.
        before = Suggestion.objects.filter(customer_id__in=list(facts), status=SuggestionStatus.OPEN).count()
        Suggestion.objects.bulk_create(rows, ignore_conflicts=True, batch_size=BATCH_SIZE)
        after = Suggestion.objects.filter(customer_id__in=list(facts), status=SuggestionStatus.OPEN).count()
        result.created = after - before
    return result


@transaction.atomic
def suggestions_refresh(*, actor, customer: Customer, today: datetime.date | None = None) -> GenerationResult:
    """Compute `customer`'s suggestions now: add the suitable products the active rules offer,
    expire open ones they no longer offer. Raise PermissionDenied unless `actor` may work the
    customer's offers."""
    permissions.check(actor, permissions.CustomerAction.WORK_OFFERS, customer)
    result = _store([customer.pk], active_rules(), today or timezone.localdate())
    audit_record(actor=actor, action="suggestions.refreshed", object_type="customers.customer",
                 object_id=customer.pk, extra=result.as_dict())
    return result


def suggestions_generate(*, customer_ids: Iterable[int] | None = None, batch_size: int = BATCH_SIZE,
                         today: datetime.date | None = None) -> GenerationResult:
    """Compute suggestions for the active customers in a relationship manager's book (or only
    `customer_ids`), in primary-key batches of `batch_size`, each batch in its own transaction
    and a fixed number of queries; a full run also expires the open suggestions of customers
    no longer in a book. Safe to rerun: a committed batch inserts nothing again."""
    today = today or timezone.localdate()
    rules = active_rules()
    total = GenerationResult()
    scope = Customer.objects.filter(status=CustomerStatus.ACTIVE, merged_into__isnull=True,
                                    relationship_manager__isnull=False)
    if customer_ids is not None:
        scope = scope.filter(pk__in=list(customer_ids))
    last_id = 0
    while True:
        ids = list(scope.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        with transaction.atomic():
            batch = _store(ids, rules, today)
        total.customers += batch.customers
        total.created += batch.created
        total.expired += batch.expired
        last_id = ids[-1]
    if customer_ids is None:
        # Customers who left the books (closed, dormant, merged away, without an RM) keep no
        # open offers: one statement.
        with transaction.atomic():
            left = (Suggestion.objects.filter(status=SuggestionStatus.OPEN)
                    .exclude(customer__in=scope.values("pk")))
            total.expired += left.update(status=SuggestionStatus.EXPIRED, decided_at=timezone.now())
    if total.created or total.expired:
        with transaction.atomic():
            audit_record(actor=None, action="suggestions.generated", extra=total.as_dict())
    return total


def _locked_open(suggestion: Suggestion) -> Suggestion:
    locked = (Suggestion.objects.select_for_update(of=("self",)).select_related("customer", "product")
              .get(pk=suggestion.pk))
    if not locked.is_open:
        raise ValidationError({"status": _("This suggestion has already been decided.")})
    return locked


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": _("Keep the note under %(count)s characters.") % {
            "count": NOTE_MAX_LENGTH}})
    return note


@transaction.atomic
def suggestion_accept(*, actor, suggestion: Suggestion, note: str = "",
                      channel: str = Channel.BRANCH) -> Suggestion:
    """Record that the customer took up the suggestion, and log it on the customer's timeline
    (a sales interaction naming the product). Raise PermissionDenied unless `actor` may work
    the customer's offers; ValidationError (by field) for a suggestion already decided, an
    unknown channel or a note too long."""
    permissions.check(actor, permissions.CustomerAction.WORK_OFFERS, suggestion.customer)
    suggestion = _locked_open(suggestion)
    note = _clean_note(note)
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Choose a channel.")})
    summary = _("Offer accepted: %(product)s.") % {"product": suggestion.product.name}
    if note:
        summary = f"{summary}\n{note}"
    interaction = services.interaction_log(actor=actor, customer=suggestion.customer, channel=channel,
                                           interaction_type=InteractionType.SALES, summary=summary)
    suggestion.status = SuggestionStatus.ACCEPTED
    suggestion.decided_by = actor
    suggestion.decided_at = timezone.now()
    suggestion.decision_note = note or None
    suggestion.interaction = interaction
    suggestion.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "interaction"])
    audit_record(actor=actor, action="suggestion.accepted", object_type=OBJECT_TYPE, object_id=suggestion.pk,
                 fields=["decision_note"] if note else [],
                 extra={"customer": suggestion.customer_id, "product": suggestion.product_id,
                        "rule": suggestion.rule_id, "interaction": interaction.pk})
    return suggestion


@transaction.atomic
def suggestion_dismiss(*, actor, suggestion: Suggestion, reason: str, note: str = "") -> Suggestion:
    """Record that the suggestion will not be pursued, with a reason from DismissReason and an
    optional note (required for "other"). Raise PermissionDenied unless `actor` may work the
    customer's offers; ValidationError (by field) for a suggestion already decided, an unknown
    reason, "other" without a note, or a note too long."""
    permissions.check(actor, permissions.CustomerAction.WORK_OFFERS, suggestion.customer)
    suggestion = _locked_open(suggestion)
    note = _clean_note(note)
    if reason not in DismissReason.values:
        raise ValidationError({"reason": _("Choose why the suggestion is dismissed.")})
    if reason == DismissReason.OTHER and len(note) < 3:
        raise ValidationError({"note": _("Say why, in at least 3 characters.")})
    suggestion.status = SuggestionStatus.DISMISSED
    suggestion.decided_by = actor
    suggestion.decided_at = timezone.now()
    suggestion.decision_reason = reason
    suggestion.decision_note = note or None
    suggestion.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "decision_note"])
    audit_record(actor=actor, action="suggestion.dismissed", object_type=OBJECT_TYPE, object_id=suggestion.pk,
                 fields=["decision_note"] if note else [],
                 extra={"customer": suggestion.customer_id, "product": suggestion.product_id,
                        "rule": suggestion.rule_id, "reason": reason})
    return suggestion


def _changed_fields(instance) -> list[str]:
    return [field.name for field in instance._meta.concrete_fields
            if field.editable and not field.primary_key and field.name != "updated_at"]


@transaction.atomic
def product_save(*, actor, product: Product) -> Product:
    """Create or change a catalogue product. Raise PermissionDenied unless `actor` may
    configure the catalogue; ValidationError (by field) for bad values or settings that do not
    fit together (see catalogue.product_validate)."""
    permissions.check(actor, permissions.SettingsAction.OFFER_CATALOGUE)
    errors: dict = {}
    for check in (lambda: product.full_clean(validate_constraints=False), lambda: product_validate(product)):
        try:
            check()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    product.validate_constraints()
    product.save()
    audit_record(actor=actor, action="offer_product.saved", object_type="customers.product",
                 object_id=product.pk, fields=_changed_fields(product))
    return product


@transaction.atomic
def offer_rule_save(*, actor, rule: OfferRule) -> OfferRule:
    """Create or change an offer rule; a change raises its version. Raise PermissionDenied
    unless `actor` may configure offer rules; ValidationError (by field) for conditions that
    cannot work (see rules.rule_validate)."""
    permissions.check(actor, permissions.SettingsAction.OFFER_RULES)
    errors: dict = {}
    for check in (rule.full_clean, lambda: rule_validate(rule)):
        try:
            check()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    if rule.pk:
        rule.save()
        OfferRule.objects.filter(pk=rule.pk).update(version=F("version") + 1)
        rule.refresh_from_db(fields=["version"])
    else:
        rule.save()
    audit_record(actor=actor, action="offer_rule.saved", object_type="customers.offerrule",
                 object_id=rule.pk, fields=_changed_fields(rule), extra={"version": rule.version})
    return rule
