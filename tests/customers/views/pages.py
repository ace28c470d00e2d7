"""Helpers for the customer page tests: the sample values and how to open and read a page."""

from __future__ import annotations

from django.urls import reverse

PHONE = "+86 138 0013 8000"
# How every surface shows PHONE in clear: the national format of the bank's region. It is a
# part of PHONE's spelling, so "not in" with it also refuses the stored spelling.
PHONE_SHOWN = "138 0013 8000"
PURPOSE = "Investigating complaint 2026-118"
HTMX = {"HTTP_HX_REQUEST": "true"}


def body_of(response) -> str:
    return response.content.decode()


def numbers_of(response) -> list[str]:
    """The customer numbers of the list page's rows, in order."""
    return [row["customer"].number for row in response.context["rows"]]


def list_page(client, query: str = "", **headers):
    return client.get(f"{reverse('customer-list')}{'?' + query if query else ''}", **headers)


def detail(client, customer, query: str = ""):
    return client.get(f"{reverse('customer-detail', args=[customer.pk])}{query}")


def full_name(user) -> str:
    return user.get_full_name()


# The query budget: a list, search or exact-lookup request at most LIST_BUDGET
# queries, the 360° page at most DETAIL_BUDGET, whatever the page size and the book size.
LIST_BUDGET = 10
DETAIL_BUDGET = 18

# Every request pays: the session (read, then the refreshed expiry written: crm.sessions),
# the user (AuthenticationMiddleware), and the user's roles, permissions, branch and
# delegations (customers.selectors.actor_load, one query for all of them).
REQUEST_OVERHEAD = 4
# A request that shows a sensitive value in clear appends one `pii.revealed` event to the
# audit chain: one statement (compliance_audit_append locks, reads the head and inserts).
PII_REVEALED_EVENT = 1
