"""Reads of suitable offers: a customer's suggestions, one suggestion, the 360° page's panel,
the acceptance rates per rule, and the open-offer figures of the worklist rows.

The customer must come from `customers.selectors.customer_get` (visible to the reader). The
panel reads in a fixed number of queries (the open suggestions, the rules, the customer's
facts); the acceptance rates are one aggregate query over the customers the reader may report
on (REPORT_OFFERS: their branch for a branch manager, every customer for head office).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from compliance import access
from customers import permissions
from customers.models import Customer, DismissReason, Suggestion, SuggestionStatus
from customers.outreach.offers.evaluation import evaluate
from customers.outreach.offers.reasons import reasons_text
from customers.outreach.offers.rules import active_rules, one_customer_facts

PANEL_LIMIT = 20
DECIDED_STATUSES = (SuggestionStatus.ACCEPTED, SuggestionStatus.DISMISSED)


def recently_decided(customer_ids: list[int]) -> set[tuple[int, int]]:
    """(customer, product) pairs the RM accepted or dismissed within OFFERS_COOL_OFF_DAYS: not
    suggested again meanwhile (an accepted product shows in the holdings only once core banking
    reports it; a dismissed one should not come back the next morning). One query."""
    since = timezone.now() - datetime.timedelta(days=settings.OFFERS_COOL_OFF_DAYS)
    return set(Suggestion.objects.filter(
        customer_id__in=customer_ids, status__in=DECIDED_STATUSES,
        decided_at__gte=since).values_list("customer_id", "product_id"))


def suggestion_list(*, customer: Customer, status: str | None = None) -> QuerySet:
    """The customer's suggestions (or those of `status`), open ones by priority, then newest."""
    queryset = Suggestion.objects.filter(customer=customer).select_related("customer", "product", "rule",
                                                                           "decided_by")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("priority", "-created_at", "-pk")


def suggestion_get(*, actor, pk: int) -> Suggestion:
    """One suggestion of a customer `actor` may see. Raise Suggestion.DoesNotExist otherwise (the
    same for a missing one)."""
    return access.restrict(Suggestion.objects.select_related("customer", "product", "rule"), actor).get(pk=pk)


def suggestion_rows(suggestions) -> list[dict]:
    """Suggestions as rows with their reasons in words."""
    return [{"suggestion": item, "product": item.product, "reasons": reasons_text(item.reasons)}
            for item in suggestions]


def customer_evaluation(*, customer: Customer):
    """What the active rules make of `customer` now (evaluation.Evaluation), read-only: two
    queries (the rules; the customer's needs and holdings) for a customer read with its profile."""
    return evaluate(one_customer_facts(customer), active_rules(), today=timezone.localdate())


def offers_panel(actor, customer: Customer) -> dict | None:
    """The 360° page's "Suitable offers" panel: open suggestions with their reasons and, for
    an actor who may work the customer's offers, the products a rule suggests but suitability
    withholds (with why) and the suitable products not yet suggested. None for a merged record."""
    if customer.merged_into_id:
        return None
    # One query: the open suggestions and those decided within the cool-off (not offered again).
    since = timezone.now() - datetime.timedelta(days=settings.OFFERS_COOL_OFF_DAYS)
    recent = list(suggestion_list(customer=customer).filter(
        Q(status=SuggestionStatus.OPEN)
        | Q(status__in=DECIDED_STATUSES, decided_at__gte=since))[:PANEL_LIMIT * 10])
    open_rows = suggestion_rows([item for item in recent if item.is_open][:PANEL_LIMIT])
    may_work = permissions.allows(actor, permissions.CustomerAction.WORK_OFFERS, customer)
    # What suitability withheld says something about the customer's profile (an age range, a
    # rating): only for those who work the customer's offers.
    evaluation = customer_evaluation(customer=customer) if may_work else None
    suggested = {item.product_id for item in recent}
    withheld, pending = [], []
    if evaluation is not None:
        withheld = [{"product": item.product, "rule": item.rule,
                     "reasons": reasons_text(item.reasons, withheld=True)} for item in evaluation.withheld]
        pending = [{"product": item.product, "rule": item.rule, "reasons": reasons_text(item.reasons)}
                   for item in evaluation.offers if item.product.pk not in suggested]
    return {
        "customer": customer,
        "open": open_rows,
        "withheld": withheld,
        "pending": pending,
        "may_work": may_work,
        "dismiss_reasons": DismissReason.choices,
    }


def acceptance_rates(*, actor) -> list[dict]:
    """Per rule, over the customers `actor` may report on: suggestions made, open, accepted,
    dismissed, expired, and the acceptance rate (accepted / decided, None before any decision),
    in one aggregate query, by priority."""
    customers = access.restrict(Customer.objects.all(), actor, permissions.CustomerAction.REPORT_OFFERS)
    rows = (Suggestion.objects.filter(customer__in=customers.values("pk"))
            .values("rule_id", "rule__name", "rule__priority", "rule__version", "product__code",
                    "product__name")
            .annotate(total=Count("pk"),
                      open=Count("pk", filter=Q(status=SuggestionStatus.OPEN)),
                      accepted=Count("pk", filter=Q(status=SuggestionStatus.ACCEPTED)),
                      dismissed=Count("pk", filter=Q(status=SuggestionStatus.DISMISSED)),
                      expired=Count("pk", filter=Q(status=SuggestionStatus.EXPIRED)))
            .order_by("rule__priority", "rule_id"))
    result = []
    for row in rows:
        decided = row["accepted"] + row["dismissed"]
        result.append({
            "rule": row["rule_id"], "rule_name": row["rule__name"], "rule_version": row["rule__version"],
            "product_code": row["product__code"], "product_name": row["product__name"],
            "total": row["total"], "open": row["open"], "accepted": row["accepted"],
            "dismissed": row["dismissed"], "expired": row["expired"],
            "acceptance_rate": round(row["accepted"] / decided, 4) if decided else None,
        })
    return result


def open_offer_annotations(customer_field: str = "customer_id") -> dict:
    """Annotations for a queryset of rows with a customer: `open_offers` (how many open
    suggestions the customer has) and `top_offer` (the name of the first by priority), as
    subqueries, so a list of rows reads them in its own query."""
    open_suggestions = Suggestion.objects.filter(customer_id=OuterRef(customer_field),
                                                 status=SuggestionStatus.OPEN)
    count = open_suggestions.order_by().values("customer_id").annotate(count=Count("pk")).values("count")[:1]
    top = open_suggestions.order_by("priority", "pk").values("product__name")[:1]
    return {
        "open_offers": Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        "top_offer": Subquery(top),
    }
