"""The customer list and its CSV export refuse a phone, e-mail, ID or card number sent in the
URL (`?q=`): the search is not run and the user is sent back to the list without it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from compliance.models import AuditEvent
from tests.customers.views.pages import body_of

pytestmark = pytest.mark.django_db

TERMS = ["13800138000", "138+0013+8000", "%2B86%20138%200013%208000", "wei.zhang%40example.cn",
         "110105198001011234", "6225880012345678"]
REFUSAL = "That search was not run."


@pytest.mark.parametrize("term", TERMS)
@pytest.mark.parametrize("url_name", ["customer-list", "customer-export"])
def test_an_exact_lookup_in_the_url_is_refused(client, relationship_manager, customer, url_name, term,
                                                monkeypatch):
    client.force_login(relationship_manager)

    def never_run(request):
        raise AssertionError("the search ran")

    monkeypatch.setattr("customers.views.listing.customer_filter", never_run)
    monkeypatch.setattr("customers.views.export.customer_filter", never_run)
    exports_before = AuditEvent.objects.filter(action="export.created").count()

    response = client.get(f"{reverse(url_name)}?q={term}&kind=individual&after=abc")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('customer-list')}?kind=individual"
    monkeypatch.undo()
    followed = client.get(response["Location"])
    assert REFUSAL in body_of(followed)
    assert AuditEvent.objects.filter(action="export.created").count() == exports_before


def test_a_name_in_the_url_still_searches(client, relationship_manager, customer):
    client.force_login(relationship_manager)

    assert client.get(f"{reverse('customer-list')}?q=zhang").status_code == 200
    assert client.get(f"{reverse('customer-export')}?q=zhang").status_code == 200
