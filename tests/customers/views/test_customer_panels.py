"""Higher apps' panels on the customer page: shown with the context the app gives the
viewer, left out when it gives None."""

import pytest
from django.urls import reverse

from customers.overview import panels
from tests.customers.factories import make_individual

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(settings, tmp_path):
    (tmp_path / "panel.html").write_text('<p data-testid="extra">{{ panel.words }}</p>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]

    def context(actor, customer):
        return {"words": f"panel for {customer.pk}"} if actor.username == "rm.one" else None

    panels.register_customer_panel(panels.CustomerPanel(name="extra", template="panel.html", context=context))
    yield
    panels.unregister_customer_panel("extra")


def test_a_registered_panel_shows_what_its_app_gives_the_viewer(registered, client, relationship_manager,
                                                                branch_manager, branch):
    customer = make_individual(relationship_manager=relationship_manager, branch=branch)
    client.force_login(relationship_manager)
    page = client.get(reverse("customer-detail", args=[customer.pk])).content.decode()
    assert f'<p data-testid="extra">panel for {customer.pk}</p>' in page
    client.force_login(branch_manager)
    page = client.get(reverse("customer-detail", args=[customer.pk])).content.decode()
    assert 'data-testid="extra"' not in page


def test_a_panel_name_is_registered_once(registered):
    with pytest.raises(Exception, match="already registered"):
        panels.register_customer_panel(panels.CustomerPanel(name="extra", template="other.html",
                                                            context=lambda actor, customer: {}))
