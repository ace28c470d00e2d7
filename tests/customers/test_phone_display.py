"""A phone number shows in one format on every surface that shows it in clear (the list, the
360° page, the API, the export, admin); a masked phone stays masked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.customers.factories import make_individual

pytestmark = pytest.mark.django_db

SPELLINGS = {"15371054937": "153 7105 4937", "156 3834 6487": "156 3834 6487",
             "+86-180-0489-8739": "180 0489 8739", "+44 20 7946 0958": "+44 20 7946 0958"}


@pytest.fixture
def customers(relationship_manager, branch):
    return [make_individual(relationship_manager=relationship_manager, branch=branch, phone=spelling)
            for spelling in SPELLINGS]


def test_the_list_and_the_360_page_show_one_format(client, relationship_manager, customers):
    client.force_login(relationship_manager)

    listing = client.get(reverse("customer-list")).content.decode()
    details = [client.get(reverse("customer-detail", args=[c.pk])).content.decode() for c in customers]

    for shown, detail in zip(SPELLINGS.values(), details, strict=True):
        assert shown in listing and shown in detail
    for spelling in ("15371054937", "+86-180-0489-8739"):
        assert spelling not in listing


def test_the_api_and_the_export_show_the_same_format(client, relationship_manager, customers):
    client.force_login(relationship_manager)

    api = client.get("/api/v1/customers/").json()
    export = b"".join(client.get(reverse("customer-export")).streaming_content).decode()

    assert sorted(row["phone"] for row in api["results"]) == sorted(SPELLINGS.values())
    for shown in SPELLINGS.values():
        assert shown in export


def test_a_masked_phone_stays_masked(client, branch_manager, customers):
    client.force_login(branch_manager)

    listing = client.get(reverse("customer-list")).content.decode()

    assert "153****4937" in listing
    assert "153 7105 4937" not in listing
