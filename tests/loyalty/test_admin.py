"""Admin: configuration saved through the services (policy and audit), ledger records
read-only and restricted to the customers the user sees."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from compliance.models import AuditEvent
from loyalty.models import EarningRule, PointsAdjustment, Reward, Tier

pytestmark = pytest.mark.django_db


def test_an_administrator_adds_an_earning_rule_through_the_service(client, administrator):
    client.force_login(administrator)

    response = client.post("/admin/loyalty/earningrule/add/", {
        "activity": "survey_completed", "name": "Survey completed", "points": "50", "points_per_unit": "0",
        "unit_amount": "", "validity_days": "365", "tier_multiplier": "on", "limit_points": "100",
        "limit_days": "30", "is_active": "on"})

    assert response.status_code == 302
    rule = EarningRule.objects.get(activity="survey_completed")
    assert (rule.points, rule.limit_points, rule.limit_days) == (50, 100, 30)
    assert AuditEvent.objects.filter(action="config.changed", object_type="loyalty.earningrule",
                                     object_id=str(rule.pk)).count() == 1


def test_a_tier_and_a_reward_with_eligible_tiers(client, administrator):
    client.force_login(administrator)
    client.post("/admin/loyalty/tier/add/", {
        "code": "gold", "name": "Gold", "rank": "2", "min_points": "5000", "min_aum": "500000",
        "multiplier": "1.5", "required_products": "", "is_active": "on"})
    gold = Tier.objects.get(code="gold")

    response = client.post("/admin/loyalty/reward/add/", {
        "code": "lounge", "name": "Lounge", "description": "", "points_cost": "800", "stock": "20",
        "valid_from": "", "valid_until": "", "eligible_tiers": [str(gold.pk)], "eligible_segments": "",
        "is_active": "on"})

    assert response.status_code == 302
    reward = Reward.objects.get(code="lounge")
    assert list(reward.eligible_tiers.all()) == [gold]


def test_an_rm_may_not_change_the_configuration(client, relationship_manager):
    relationship_manager.is_staff = True
    relationship_manager.save()
    client.force_login(relationship_manager)

    response = client.post("/admin/loyalty/earningrule/add/", {"activity": "x", "name": "x", "points": "1",
                                                               "points_per_unit": "0", "validity_days": "1"})

    assert response.status_code == 403
    assert not EarningRule.objects.exists()


def test_adjustments_are_listed_only_for_customers_the_user_sees(
        client, customer, other_customer, relationship_manager, other_relationship_manager):
    from loyalty import points

    for who, actor in ((customer, relationship_manager), (other_customer, other_relationship_manager)):
        points.adjustment_propose(actor=actor, customer=who, points=10, reason="goodwill")
    relationship_manager.is_staff = True
    relationship_manager.save()
    relationship_manager.user_permissions.add(Permission.objects.get(codename="view_pointsadjustment"))
    client.force_login(relationship_manager)

    body = client.get("/admin/loyalty/pointsadjustment/").content.decode()

    assert customer.number in body and other_customer.number not in body
    other = PointsAdjustment.objects.get(customer=other_customer)
    assert client.get(f"/admin/loyalty/pointsadjustment/{other.pk}/change/").status_code == 404
