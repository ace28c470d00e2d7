"""The demo bank's customers: a deterministic, realistic book for `manage.py seed_demo`.

`seed_customers(customers=N, seed=S)` fills the organisation from `crm.demo` with N
customers (about 96% individuals, 4% corporates) spread over the branches that serve
customers, with enough relationship managers for books of about 2,500 customers (the scale
the portal is built for). Every customer gets a profile, holdings whose balances fit the
segment, needs, relationships (households, company directors and shareholders, parent
companies), two years of interactions on every channel, a history entry and the book
permissions of their relationship manager.

Deterministic: each batch of customers draws from its own `random.Random` seeded with the
seed and the batch number, so the same seed (and the same `as_of` date) gives the same
customers, names, identity numbers and counts. Dates are relative to `as_of` (default:
today) so the demo always looks current; pin it for byte-identical runs.

Fast: rows are loaded with COPY per batch, one transaction per batch, every column prepared
by its field as `save()` would (encrypted values, blind indexes and mask hints through
compliance's fields), and AUM and segments are recomputed set-based at the end. The
plaintext written here is invented; no value is printed in the progress lines.

The parts, each importing only those listed before it (the parts of a plan name the batch
planner in type hints only):

    reference      cities, branches, names, occupations, industries, rule thresholds
    identifiers    check digits; drawn phone, ID, registration and account numbers
    plans          what is decided about a customer before writing; money and date helpers
    holdings, interactions, people, organisations   the parts of a plan
    batch          one batch planned from its random stream
    writing        AUM, segments, and rows written with COPY (`copy_rows`)
    consents       consents to be contacted (after the customers), a few customers abroad
    staff          relationship managers and branch staff for the book
    seeding        `seed_customers`: batches in this process or forked workers
"""

from customers.demo.consents import seed_consents
from customers.demo.identifiers import (
    national_id_check_digit,
    organisation_code,
    usci_check_character,
)
from customers.demo.plans import DemoStats
from customers.demo.reference import BOOK_SIZE, CORPORATE_SHARE
from customers.demo.seeding import seed_customers
from customers.demo.staff import ensure_relationship_managers
from customers.demo.writing import copy_rows

__all__ = [
    "BOOK_SIZE",
    "CORPORATE_SHARE",
    "DemoStats",
    "copy_rows",
    "ensure_relationship_managers",
    "national_id_check_digit",
    "organisation_code",
    "seed_consents",
    "seed_customers",
    "usci_check_character",
]
