"""Suitable offers (next best offer): the catalogue, rules, suitability and suggestions.

    defaults     the catalogue and rules a bank starts from (migration 0015, post_migrate)
    rules        validating a rule's conditions; the facts of a batch of customers; matching
    suitability  whether a product may be offered to a customer, and every reason why not
    reasons      those reasons, and why a product was suggested, in the reader's language
    evaluation   rules and facts turned into offers and withheld products for one customer
    services     refresh, nightly generation, accept, dismiss; saving products and rules
    selectors    a customer's suggestions, the 360° panel, acceptance rates, worklist figures
    tasks        the nightly generation

Callers use the names below (`from customers.outreach import offers; offers.suggestion_accept(...)`).
"""

from customers.outreach.offers.reasons import reasons_text, suggested_text, withheld_text
from customers.outreach.offers.selectors import (
    acceptance_rates,
    customer_evaluation,
    offers_panel,
    open_offer_annotations,
    suggestion_get,
    suggestion_list,
    suggestion_rows,
)
from customers.outreach.offers.services import (
    offer_rule_save,
    product_save,
    suggestion_accept,
    suggestion_dismiss,
    suggestions_generate,
    suggestions_refresh,
)

__all__ = [
    "acceptance_rates",
    "customer_evaluation",
    "offer_rule_save",
    "offers_panel",
    "open_offer_annotations",
    "product_save",
    "reasons_text",
    "suggested_text",
    "suggestion_accept",
    "suggestion_dismiss",
    "suggestion_get",
    "suggestion_list",
    "suggestion_rows",
    "suggestions_generate",
    "suggestions_refresh",
    "withheld_text",
]
