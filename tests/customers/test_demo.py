"""The demo bank's customers: deterministic, realistic in shape, consistent with the rules."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Max, Sum

from compliance.crypto import blind_index, current_key_id, key_id_of
from compliance.fields import DerivedField
from compliance.normalise import normalise_phone
from crm.demo import CUSTOMER_BRANCHES, seed_organisation
from crm.roles import Role
from customers import permissions
from customers.demo import (
    BOOK_SIZE,
    national_id_check_digit,
    organisation_code,
    seed_customers,
    usci_check_character,
)
from customers.models import (
    ASSET_PRODUCTS,
    CORPORATE_SEGMENTS,
    RETAIL_SEGMENTS,
    Channel,
    CorporateProfile,
    Customer,
    CustomerKind,
    CustomerUserObjectPermission,
    Holding,
    HoldingStatus,
    IndividualProfile,
    Interaction,
    Need,
    Relationship,
    band_floor,
)
from customers.naming import search_name
from customers.segmentation import segments_recompute
from customers.selectors import customer_search
from customers.services import customers_refresh_aum

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 6, 15)
RESIDENT_ID = re.compile(r"^\d{17}[\dX]$")
USCI = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")


def _run(customers: int, seed: int, **options) -> list[str]:
    return list(seed_customers(customers=customers, seed=seed, as_of=AS_OF, **options))


def _sequence_position() -> tuple[int, bool]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value, is_called FROM customer_number_seq")
        return cursor.fetchone()


def _restore_sequence(position: tuple[int, bool]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('customer_number_seq', %s, %s)", list(position))


def _snapshot() -> dict:
    """What a run produced, in a comparable form (plaintext read through the ORM)."""
    customers = list(Customer.objects.select_related("individual", "corporate").order_by("number"))
    return {
        "customers": [
            (c.number, c.kind, c.display_name, c.segment, c.status, c.home_branch.code,
             c.relationship_manager.username if c.relationship_manager else None,
             c.phone, c.email, c.id_number, c.address, c.aum, c.since)
            for c in customers
        ],
        "profiles": sorted(
            (p.customer.number, p.local_name, p.date_of_birth, p.annual_income, p.occupation)
            for p in IndividualProfile.objects.select_related("customer")
        ),
        "holdings": sorted(
            (h.customer.number, h.product_type, h.product_name, h.balance, h.currency, h.account_number)
            for h in Holding.objects.select_related("customer")
        ),
        "interactions": Interaction.objects.count(),
        "interaction_summaries": sorted(i.summary for i in Interaction.objects.all()),
        "needs": Need.objects.count(),
        "relationships": sorted(
            (r.from_customer.number, r.to_customer.number, r.kind)
            for r in Relationship.objects.select_related("from_customer", "to_customer")
        ),
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The demo accounts get the demo password; the default hasher's cost is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def organisation():
    seed_organisation()


# Determinism -------------------------------------------------------------------------------


def test_same_seed_gives_the_same_bank(organisation):
    # Given a first run from a known point of the customer-number sequence
    position = _sequence_position()
    _run(120, seed=11)
    first = _snapshot()

    # When the customers are removed and the same seed runs again from the same point
    Customer.objects.all().delete()
    _restore_sequence(position)
    _run(120, seed=11)

    # Then numbers, names, profiles, holdings, interactions and relationships are identical
    second = _snapshot()
    assert len(first["customers"]) == 120
    assert second == first


def test_another_seed_gives_other_customers(organisation):
    _run(60, seed=1)
    names_one = set(Customer.objects.values_list("display_name", flat=True))
    Customer.objects.all().delete()

    _run(60, seed=2)

    names_two = set(Customer.objects.values_list("display_name", flat=True))
    assert len(names_one & names_two) < 10


def test_running_again_adds_nothing(organisation):
    _run(40, seed=5)
    counts = (Customer.objects.count(), Holding.objects.count(), Interaction.objects.count())

    lines = _run(40, seed=5)

    assert lines == ["Customers already loaded; not generating more."]
    assert (Customer.objects.count(), Holding.objects.count(), Interaction.objects.count()) == counts


def test_zero_customers_creates_nothing(organisation):
    staff_before = CustomerUserObjectPermission.objects.count()

    assert _run(0, seed=5) == []
    assert Customer.objects.count() == 0
    assert CustomerUserObjectPermission.objects.count() == staff_before


def test_seed_demo_command_generates_customers(capsys):
    call_command("seed_demo", customers=30, seed=3)

    out = capsys.readouterr().out
    assert Customer.objects.count() == 30
    assert "Generated 30 customers" in out
    assert "customers/s" in out


def test_progress_lines_hold_no_personal_data(organisation):
    lines = _run(50, seed=8)

    text = "\n".join(lines)
    for customer in Customer.objects.all():
        assert customer.display_name not in text
        assert customer.phone not in text


# Shapes ------------------------------------------------------------------------------------


@pytest.fixture
def bank(organisation):
    _run(150, seed=2026)


def test_mix_of_individuals_and_corporates(bank):
    kinds = dict(Customer.objects.values_list("kind").annotate(n=Count("id")))

    assert kinds[CustomerKind.INDIVIDUAL] + kinds[CustomerKind.CORPORATE] == 150
    assert 1 <= kinds[CustomerKind.CORPORATE] <= 15  # about 4%
    assert IndividualProfile.objects.count() == kinds[CustomerKind.INDIVIDUAL]
    assert CorporateProfile.objects.count() == kinds[CustomerKind.CORPORATE]


def test_customers_are_spread_over_the_customer_branches(bank):
    codes = set(Customer.objects.values_list("home_branch__code", flat=True))

    assert codes == set(CUSTOMER_BRANCHES)


def test_every_phone_normalises_to_a_mainland_or_city_number(bank):
    for customer in Customer.objects.all():
        e164 = normalise_phone(customer.phone)
        assert re.fullmatch(r"\+86(1[358]\d{9}|(10|20|21|571|755)\d{8})", e164)
        assert customer.phone_index == blind_index(customer.phone, kind="phone")


def test_resident_ids_carry_valid_check_digits_birth_dates_and_sex(bank):
    checked = 0
    for profile in IndividualProfile.objects.select_related("customer"):
        id_number = profile.customer.id_number
        if not RESIDENT_ID.match(id_number):
            assert re.fullmatch(r"[EGKPX]\d{8}", id_number)  # a foreigner's passport
            assert profile.local_name == ""
            continue
        assert national_id_check_digit(id_number[:17]) == id_number[17]
        assert id_number[6:14] == profile.date_of_birth.strftime("%Y%m%d")
        if profile.gender in ("male", "female"):
            assert int(id_number[16]) % 2 == (1 if profile.gender == "male" else 0)
        checked += 1
    assert checked > 120


def test_check_digit_matches_a_published_example():
    # GB 11643-1999's worked example.
    assert national_id_check_digit("11010519491231002") == "X"


def test_corporates_have_legal_names_and_registration_numbers(bank):
    for profile in CorporateProfile.objects.select_related("customer"):
        customer = profile.customer
        assert profile.legal_name.endswith("公司")
        assert customer.display_name.endswith(("Co., Ltd.", "(joint stock)"))
        assert USCI.match(customer.id_number)
        assert usci_check_character(customer.id_number[:17]) == customer.id_number[17]
        assert organisation_code(customer.id_number[8:16]) == customer.id_number[8:17]
        assert profile.countries_of_operation[0] == "CN"
        assert profile.revenue_band == band_floor(profile.annual_revenue)
        assert profile.employees >= 3


def test_organisation_code_needs_eight_digits():
    for body in ("1234567", "123456789", "1234567A"):
        with pytest.raises(ValueError):
            organisation_code(body)


def test_individual_names_have_pinyin_and_chinese_forms(bank):
    profiles = list(IndividualProfile.objects.select_related("customer"))
    chinese = [p for p in profiles if p.local_name]
    assert len(chinese) > 0.9 * len(profiles)
    for profile in chinese:
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}", profile.local_name)
        assert profile.customer.display_name in (f"{profile.family_name} {profile.given_name}",
                                                 f"{profile.given_name} {profile.family_name}")
        assert profile.family_name.isascii() and profile.given_name.isascii()
    for profile in profiles:
        customer = profile.customer
        names = [customer.display_name, f"{profile.family_name} {profile.given_name}",
                 f"{profile.given_name} {profile.family_name}", profile.local_name]
        assert customer.search_name == search_name(*names)
        assert profile.income_band == band_floor(profile.annual_income)


def test_search_finds_a_customer_by_pinyin_and_by_characters(bank):
    profile = IndividualProfile.objects.exclude(local_name="").select_related("customer").first()
    compliance = _user(Role.COMPLIANCE_OFFICER)

    by_pinyin = customer_search(actor=compliance, term=f"{profile.family_name} {profile.given_name}")
    by_characters = customer_search(actor=compliance, term=profile.local_name)

    assert profile.customer in by_pinyin
    assert profile.customer in by_characters


def test_segments_follow_the_default_rules(bank):
    for kind, segment in Customer.objects.values_list("kind", "segment"):
        allowed = RETAIL_SEGMENTS if kind == CustomerKind.INDIVIDUAL else CORPORATE_SEGMENTS
        assert segment in allowed

    result = segments_recompute()

    assert result.segment_changes == 0
    assert set(Customer.objects.values_list("segment", flat=True)) >= {"mass", "vip"}


def test_aum_is_the_sum_of_active_asset_holdings(bank):
    assert customers_refresh_aum() == 0
    customer = (Customer.objects.filter(holdings__currency="CNY", holdings__status=HoldingStatus.ACTIVE)
                .exclude(holdings__currency__in=["USD", "HKD", "EUR"]).order_by("pk").first())
    total = customer.holdings.filter(
        status=HoldingStatus.ACTIVE, product_type__in=list(ASSET_PRODUCTS), balance__gt=0
    ).aggregate(total=Sum("balance"))["total"]
    assert customer.aum == total


def test_holdings_have_account_numbers_and_plausible_dates(bank):
    for holding in Holding.objects.select_related("customer"):
        assert holding.account_number.isdigit()
        assert holding.account_number_index == blind_index(holding.account_number, kind="account_number")
        assert holding.balance >= Decimal("0")
        assert holding.customer.since <= holding.opened_on <= AS_OF
        if holding.matures_on:
            assert holding.matures_on > holding.opened_on
    assert Holding.objects.values("product_type").distinct().count() >= 10


def test_interactions_cover_two_years_on_every_channel(bank):
    window_start = datetime.datetime.combine(AS_OF - datetime.timedelta(days=731), datetime.time(),
                                             tzinfo=datetime.UTC)
    window_end = datetime.datetime.combine(AS_OF, datetime.time(), tzinfo=datetime.UTC)
    stats = Interaction.objects.aggregate(first=Max("occurred_at"))
    assert stats["first"] < window_end
    assert not Interaction.objects.filter(occurred_at__lt=window_start).exists()
    assert set(Interaction.objects.values_list("channel", flat=True)) == set(Channel.values)
    summaries = [interaction.summary for interaction in Interaction.objects.all()[:400]]
    assert any(re.search(r"[\u4e00-\u9fff]", summary) for summary in summaries)
    assert any(summary.isascii() for summary in summaries)
    for customer in Customer.objects.annotate(last=Max("interactions__occurred_at")):
        assert customer.last_contact_at == customer.last


def test_households_and_company_officers_are_linked(bank):
    kinds = set(Relationship.objects.values_list("kind", flat=True))

    assert {"spouse", "director"} & kinds or {"spouse", "shareholder"} & kinds
    for relationship in Relationship.objects.filter(kind__in=["director", "shareholder", "key_contact"]):
        assert relationship.from_customer.kind == CustomerKind.INDIVIDUAL
        assert relationship.to_customer.kind == CustomerKind.CORPORATE
    for relationship in Relationship.objects.filter(kind="spouse"):
        assert relationship.from_customer.home_branch_id == relationship.to_customer.home_branch_id


def test_relationship_managers_hold_their_books(bank):
    # Every branch has a relationship manager and each holds view and PII permissions on
    # exactly the customers of their book.
    for code in CUSTOMER_BRANCHES:
        assert Customer.objects.filter(home_branch__code=code, relationship_manager__isnull=False).exists()
    for manager_id, book in Customer.objects.values_list("relationship_manager").annotate(n=Count("id")):
        granted = CustomerUserObjectPermission.objects.filter(
            user_id=manager_id, permission_id=permissions.permission_id(permissions.VIEW_PII)).count()
        assert granted == book
    assert not Customer.objects.filter(relationship_manager__isnull=True).exists()


def test_every_encrypted_value_is_a_token_under_the_current_key(bank):
    row = Customer.objects.values_list("phone", "email", "id_number", "address").first()
    for stored in row:
        assert stored is None or key_id_of(stored.token) == current_key_id()
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, address FROM customers_customer LIMIT 20")
        for phone, address in cursor.fetchall():
            assert phone.startswith("v2:") and address.startswith("v2:")


def test_derived_columns_are_computed_from_the_plaintext_as_save_does(bank):
    # Every blind index and mask hint the fields keep beside a ciphertext matches the
    # value it was derived from, for customers and holdings alike.
    checked = 0
    for model in (Customer, Holding, IndividualProfile):
        derived = [field for field in model._meta.concrete_fields if isinstance(field, DerivedField)]
        for row in model.objects.all():
            for field in derived:
                assert getattr(row, field.attname) == field.compute(getattr(row, field.source)), field.name
                checked += 1
    assert checked > 1000


def test_bank_scale_staffing_creates_relationship_managers(organisation):
    from customers.demo import ensure_relationship_managers

    managers, created = ensure_relationship_managers(customers=BOOK_SIZE * 10, seed=1)

    assert sum(len(ids) for ids in managers.values()) >= 10
    assert created == sum(len(ids) for ids in managers.values()) - 3  # rm.chen, rm.li, rm.wong exist
    again, created_again = ensure_relationship_managers(customers=BOOK_SIZE * 10, seed=1)
    assert (again, created_again) == (managers, 0)


def _user(role):
    from tests.factories import UserFactory

    return UserFactory(role=role, branch=None, username=f"demo.{role}")


@pytest.mark.django_db(transaction=True)
def test_worker_processes_write_the_same_customers():
    # Given the batches written by one process
    seed_organisation()
    _run(40, seed=9, batch_size=10)
    one_process = sorted(Customer.objects.values_list("display_name", "segment", "aum"))
    Customer.objects.all().delete()

    # When two worker processes write the same batches
    _run(40, seed=9, batch_size=10, workers=2)

    # Then the same customers exist (only which numbers they got may differ)
    assert sorted(Customer.objects.values_list("display_name", "segment", "aum")) == one_process
    assert Customer.objects.values("number").distinct().count() == 40


def test_relationship_managers_start_with_a_worklist(bank):
    from django.db.models import F

    from customers.care.generation import follow_ups_generate
    from customers.models import FollowUp

    follow_ups = FollowUp.objects.all()

    assert follow_ups.filter(reason="plan").exists()
    assert follow_ups.exclude(reason="plan").exists()  # life events: reviews, maturities, birthdays...
    assert not follow_ups.exclude(assigned_to_id=F("customer__relationship_manager_id")).exists()
    again = follow_ups_generate(today=AS_OF)
    assert again.planned == 0
    assert sum(again.triggered.values()) == 0


def test_customers_start_with_consents_some_withdrawn_and_a_few_live_abroad(bank):
    from customers.demo import seed_consents
    from customers.models import Consent, ConsentEvent, ConsentStatus
    from customers.outreach import ContactSender, contact_request

    consents = Consent.objects.all()
    assert consents.filter(purpose="marketing", channel="email", status=ConsentStatus.GRANTED).exists()
    assert consents.filter(status=ConsentStatus.WITHDRAWN).exists()
    customers = Customer.objects.count()
    marketing = consents.filter(purpose="marketing", status="granted")
    with_marketing = marketing.values("customer").distinct().count()
    assert customers * 0.5 < with_marketing < customers
    # Every current row points at the latest event of its channel and purpose, with the same status
    for consent in consents.select_related("event")[:200]:
        event = consent.event
        assert (event.customer_id, event.channel, event.purpose, event.status) == (
            consent.customer_id, consent.channel, consent.purpose, consent.status)
        later = ConsentEvent.objects.filter(customer_id=consent.customer_id, channel=consent.channel,
                                            purpose=consent.purpose, recorded_at__gt=event.recorded_at)
        assert not later.exists()
    # The evidence is encrypted at rest and reads back through the field
    granted = ConsentEvent.objects.filter(status="granted").first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT evidence_reference FROM customers_consentevent WHERE id = %s", [granted.pk])
        (stored,) = cursor.fetchone()
    assert granted.evidence_reference.split("-")[0] in ("FORM", "APP", "CALL")
    assert granted.evidence_reference not in stored
    assert Customer.objects.exclude(time_zone="Asia/Shanghai").exists()
    # Running again adds nothing
    assert seed_consents(seed=2026, as_of=AS_OF).granted == 0
    # And the policy reads them: a customer with an e-mail marketing grant may be e-mailed
    consent = consents.filter(purpose="marketing", channel="email", status="granted",
                              customer__do_not_contact=False, customer__is_vulnerable=False).first()
    decision = contact_request(actor=None, customer=consent.customer, channel="email", purpose="marketing",
                               reason="Demo check", sender=ContactSender("campaign", "1"))
    assert decision.allowed or decision.code == "quiet_hours"


def test_relationship_managers_start_with_suitable_offers(bank):
    from customers.models import Suggestion
    from customers.outreach.offers import suggestions_generate
    from customers.outreach.offers.evaluation import evaluate
    from customers.outreach.offers.rules import active_rules, customer_facts

    suggestions = list(Suggestion.objects.select_related("product"))

    assert suggestions
    assert {suggestion.status for suggestion in suggestions} == {"open"}
    facts = customer_facts({suggestion.customer_id for suggestion in suggestions})
    rules = active_rules()
    for suggestion in suggestions:  # each one suitable for its customer, as the rules say today
        offered = evaluate(facts[suggestion.customer_id], rules, today=AS_OF).product_ids
        assert suggestion.product_id in offered
    assert suggestions_generate(today=AS_OF).created == 0
