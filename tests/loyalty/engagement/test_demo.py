"""The engagement demo data: events, survey history with call-backs, a live survey link."""

from __future__ import annotations

import pytest

from crm.demo import seed_organisation
from customers.demo import seed_customers
from loyalty.demo import seed_engagement
from loyalty.models import Event, SurveyResponse

pytestmark = pytest.mark.django_db


def test_the_demo_creates_events_history_and_a_live_link(client):
    seed_organisation()
    list(seed_customers(customers=60, seed=7))

    lines = list(seed_engagement(seed=7))
    again = list(seed_engagement(seed=7))

    assert sorted(Event.objects.values_list("kind", flat=True)) == [
        "course",
        "exclusive",
        "fraud_awareness",
        "lecture",
    ]
    assert Event.objects.get(kind="course").lessons.count() == 4
    answers = SurveyResponse.objects.count()
    assert 0 < answers <= 60
    detractors = SurveyResponse.objects.filter(is_detractor=True)
    assert detractors.filter(follow_up__isnull=False).count() == detractors.count()
    path = lines[-1].rsplit(" ", 1)[-1]
    assert path.startswith("/s/")
    assert client.get(path).status_code == 200
    assert again == ["Events already loaded; not generating more."]
    assert all("@" not in line for line in lines)
