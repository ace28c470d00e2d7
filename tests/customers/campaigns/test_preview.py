"""The eligibility preview: one aggregate query that counts the audience per exclusion reason,
agreeing with what contact_request decides for each customer."""

from __future__ import annotations

import pytest

from customers import outreach
from customers.models import Customer, CustomerStatus
from customers.outreach import campaigns
from customers.outreach.campaigns.audience import ELIGIBLE, classified
from tests.customers.campaigns.conftest import definition, grant
from tests.customers.factories import make_corporate, make_holding, make_individual

pytestmark = pytest.mark.django_db


@pytest.fixture
def crafted(relationship_manager, branch, other_branch, other_relationship_manager):
    """One customer per reason, plus two eligible ones and one in another branch."""
    rm = relationship_manager

    def customer(**flags):
        made = make_individual(relationship_manager=rm, branch=branch)
        grant(rm, made)
        if flags:
            Customer.objects.filter(pk=made.pk).update(**flags)
        return made

    people = {
        "eligible": customer(),
        "eligible_too": customer(),
        "do_not_contact": customer(do_not_contact=True),
        "vulnerable": customer(is_vulnerable=True),
        "hold": customer(),
        "consent_withdrawn": customer(),
        "no_consent": make_individual(relationship_manager=rm, branch=branch),
        "cap": customer(),
    }
    survivor = people["eligible"]
    people["merged"] = customer(merged_into_id=survivor.pk, status=CustomerStatus.CLOSED)
    outreach.contact_hold_place(actor=rm, customer=people["hold"], kind="open_complaint",
                                reason="Complaint open")
    outreach.consent_withdraw(actor=rm, customer=people["consent_withdrawn"], channel="sms",
                              purpose="marketing", source="app")
    # The 7-day marketing cap is 1: one sent contact now reaches it.
    assert outreach.contact_request(actor=None, customer=people["cap"], channel="sms", purpose="marketing",
                                    reason="Earlier campaign",
                                    sender=outreach.ContactSender("campaign", "9999")).allowed
    elsewhere = make_individual(relationship_manager=other_relationship_manager, branch=other_branch)
    grant(other_relationship_manager, elsewhere)
    people["elsewhere"] = elsewhere
    return people


def test_preview_counts_each_reason_for_a_branch_managers_campaign(branch_manager, crafted):
    campaign = campaigns.campaign_create(actor=branch_manager, values=definition())

    result = campaigns.preview(campaign)

    assert result.eligible == 2
    assert result.excluded == {"merged": 1, "do_not_contact": 1, "hold": 1, "vulnerable": 1,
                               "consent_withdrawn": 1, "no_consent": 1, "cap": 1}
    assert result.targeted == 9  # the other branch's customer is out of the manager's reach


def test_head_office_reaches_every_branch(head_office, crafted):
    campaign = campaigns.campaign_create(actor=head_office, values=definition())

    assert campaigns.preview(campaign).eligible == 3


def test_the_preview_agrees_with_contact_request_on_every_customer(branch_manager, crafted):
    campaign = campaigns.campaign_create(actor=branch_manager, values=definition())
    predicted = dict(classified(campaigns.audience(campaign), channel="sms", purpose="marketing")
                     .values_list("pk", "reason"))

    decided = {}
    for customer in Customer.objects.filter(pk__in=predicted):
        decision = outreach.contact_request(actor=None, customer=customer, channel="sms", purpose="marketing",
                                            reason="Check", sender=outreach.ContactSender("campaign", "2"))
        decided[customer.pk] = ELIGIBLE if decision.allowed else decision.code

    assert decided == predicted
    assert sorted(predicted.values()) == sorted([ELIGIBLE, ELIGIBLE, "merged", "do_not_contact", "hold",
                                                 "vulnerable", "consent_withdrawn", "no_consent", "cap"])


def test_the_preview_is_one_query(branch_manager, crafted, django_assert_num_queries):
    campaign = campaigns.campaign_create(actor=branch_manager, values=definition())
    campaigns.preview(campaign)  # the policy reads the owner's permissions once per request

    # The active caps (configuration), then the one aggregate over the audience.
    with django_assert_num_queries(2):
        campaigns.preview(campaign)


def test_filters_narrow_the_audience(branch_manager, relationship_manager, branch):
    vip = make_individual(relationship_manager=relationship_manager, branch=branch, segment="vip")
    mass = make_individual(relationship_manager=relationship_manager, branch=branch, segment="mass")
    corporate = make_corporate(relationship_manager=relationship_manager, branch=branch)
    make_holding(vip, product_type="fund", balance="900000.00")
    make_holding(mass, product_type="savings_account", balance="1000.00")
    from customers import services

    services.need_record(actor=relationship_manager, customer=mass, need_type="investment")

    def targeted(**filters):
        campaign = campaigns.campaign_create(actor=branch_manager, values=definition(**filters))
        return set(campaigns.audience(campaign).values_list("pk", flat=True))

    assert targeted(segments=["vip"]) == {vip.pk}
    assert targeted(kinds=["corporate"]) == {corporate.pk}
    assert targeted(holds_products=["fund"]) == {vip.pk}
    assert targeted(lacks_products=["fund"]) == {mass.pk, corporate.pk}
    assert targeted(needs=["investment"]) == {mass.pk}
    assert targeted(min_aum="500000") == {vip.pk}
