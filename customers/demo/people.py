"""Individual customers of the demo bank: names in pinyin and characters, identity, work,
income, households, and the contact details branch staff record."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import TYPE_CHECKING

from customers.demo.holdings import plan_individual_holdings
from customers.demo.identifiers import draw_mobile, draw_resident_id, draw_street_address
from customers.demo.interactions import plan_interactions, plan_needs
from customers.demo.plans import Plan, lognormal, round_to, years_before
from customers.demo.reference import (
    BRANCH_PLAN,
    CANTONESE_FAMILY,
    CITIES,
    EMAIL_DOMAINS,
    ENGLISH_FEMALE,
    ENGLISH_MALE,
    ENGLISH_NAME_SHARE,
    FAMILY_NAMES,
    FAMILY_WEIGHTS,
    GIVEN_FEMALE,
    GIVEN_MALE,
    GOVERNMENT,
    HOSPITALS,
    INDUSTRIES,
    LAW_FIRMS,
    OCCUPATION_WEIGHTS,
    OCCUPATIONS,
    OTHER_AREA_CODES,
    SCHOOLS,
    TRADE_SYLLABLES,
    UNIVERSITIES,
    WESTERN_FAMILY,
    City,
)
from customers.models import (
    Channel,
    CustomerKind,
    CustomerStatus,
    Gender,
    RelationshipKind,
    RiskTolerance,
    Segment,
    band_floor,
)

if TYPE_CHECKING:
    from customers.demo.batch import BatchPlanner

__all__ = ["draw_chinese_name", "draw_employer", "draw_risk_tolerance", "plan_individual"]


def draw_chinese_name(rng: random.Random, gender: str, family: tuple[str, str] | None = None) -> tuple[
        str, str, str, tuple[str, str]]:
    """(family name in pinyin, given name in pinyin, name in characters, (family zh, pinyin)).

    The family name is drawn by frequency unless `family` (characters, pinyin) is given.
    """
    if family is None:
        zh, py, _weight = rng.choices(FAMILY_NAMES, weights=FAMILY_WEIGHTS)[0]
    else:
        zh, py = family
    pool = GIVEN_MALE if gender == Gender.MALE else GIVEN_FEMALE
    chars = [rng.choice(pool)] if rng.random() < 0.3 else rng.sample(pool, 2)
    given_zh = "".join(char for char, _ in chars)
    given_py = "".join(syllable for _, syllable in chars).capitalize()
    return py, given_py, zh + given_zh, (zh, py)


def plan_individual(batch: BatchPlanner, branch_code: str) -> Plan:
    """Plan an individual customer of `branch_code`: identity, profile, household, holdings,
    interactions and needs, drawing on `batch` for its random stream and earlier plans."""
    rng = batch.rng
    city = CITIES[BRANCH_PLAN[branch_code][0]]
    index = len(batch.plans)
    draw = rng.random()
    segment = Segment.PRIVATE if draw < 0.015 else Segment.VIP if draw < 0.12 else Segment.MASS
    status = batch.status()
    if status in (CustomerStatus.PROSPECT, CustomerStatus.CLOSED):
        segment = Segment.MASS
    gender = Gender.MALE if rng.random() < 0.5 else Gender.FEMALE
    # The ID number encodes a sex even when the customer chose not to state a gender.
    id_gender = gender
    if rng.random() < 0.01:
        gender = Gender.UNDISCLOSED
    if segment == Segment.PRIVATE:
        age = int(rng.triangular(32, 80, 55))
    elif segment == Segment.VIP:
        age = int(rng.triangular(26, 82, 48))
    else:
        age = int(rng.triangular(18, 88, 34))

    # Households: some customers are the spouse or the grown-up child of another customer
    # of the same branch (same address, and a child shares the family name).
    household_of: int | None = None
    household_kind = ""
    same_branch = batch.individuals_by_branch[branch_code]
    if same_branch and rng.random() < 0.18:
        candidate = rng.choice(same_branch[-50:])
        other = batch.plans[candidate]
        if (other.married_to is None and other.gender in (Gender.MALE, Gender.FEMALE)
                and other.gender != id_gender and age >= 24 and abs(other.age - age) <= 8):
            household_of, household_kind = candidate, RelationshipKind.SPOUSE
        elif other.age >= 42:
            household_of, household_kind = candidate, RelationshipKind.HOUSEHOLD_MEMBER
            age = max(18, min(age, other.age - rng.randrange(22, 36)))
    birth = batch.birth_date(age)

    if household_kind == RelationshipKind.HOUSEHOLD_MEMBER:
        style = batch.plans[household_of].name_style
        family = batch.plans[household_of].family
    else:
        style_draw = rng.random()
        style = ("mandarin" if style_draw < 1 - ENGLISH_NAME_SHARE
                 else "cantonese" if style_draw < 1 - ENGLISH_NAME_SHARE * 0.4 else "western")
        family = None
    if style == "mandarin":
        family_name, given_name, local_name, family = draw_chinese_name(rng, id_gender, family)
        # Shown in pinyin, as customer_create names a customer; the characters are the
        # profile's local name (and part of the search form).
        display = f"{family_name} {given_name}"
        language = "zh-hans" if rng.random() < 0.92 else "en"
    elif style == "cantonese":
        family = family or rng.choice(CANTONESE_FAMILY)
        _family, _given, local_name, family = draw_chinese_name(rng, id_gender, family)
        family_name = family[1]
        given_name = rng.choice(ENGLISH_MALE if id_gender == Gender.MALE else ENGLISH_FEMALE)
        display = f"{given_name} {family_name}"
        language = "zh-hant" if rng.random() < 0.6 else "en"
    else:
        family = family or ("", rng.choice(WESTERN_FAMILY))
        family_name = family[1]
        given_name = rng.choice(ENGLISH_MALE if id_gender == Gender.MALE else ENGLISH_FEMALE)
        local_name = ""
        display = f"{given_name} {family_name}"
        language = "en"

    if age < 23 and rng.random() < 0.7:
        occupation_row = OCCUPATIONS[-1]  # student
    elif age >= 62 and rng.random() < 0.8:
        occupation_row = OCCUPATIONS[-2]  # retired
    else:
        occupation_row = rng.choices(OCCUPATIONS[:-2], weights=OCCUPATION_WEIGHTS[:-2])[0]
    occupation, employer_kind, median_income = occupation_row
    employer = draw_employer(rng, city, employer_kind, english=style == "western")
    income_factor = {Segment.MASS: 1.0, Segment.VIP: 2.4, Segment.PRIVATE: 7.0}[segment]
    if median_income == 0:
        # Students and homemakers: no income of their own, unless wealthy.
        income = (Decimal("0.00") if segment == Segment.MASS
                  else round_to(lognormal(rng, 80_000 * income_factor, 0.6), 1000))
    else:
        income = round_to(lognormal(rng, median_income * income_factor, 0.55), 1000)

    adult_since = years_before(batch.as_of, age - 18)
    earliest = max(adult_since, batch.as_of - datetime.timedelta(days=25 * 365))
    if status == CustomerStatus.PROSPECT:
        since = batch.date_between(batch.as_of - datetime.timedelta(days=120),
                                   batch.as_of - datetime.timedelta(days=3))
    elif status == CustomerStatus.DORMANT:
        since = batch.date_between(min(earliest, batch.as_of - datetime.timedelta(days=800)),
                                   batch.as_of - datetime.timedelta(days=800))
    else:
        # An 18-year-old opened the account this month at the earliest.
        latest_since = batch.as_of - datetime.timedelta(days=30)
        since = batch.date_between(min(earliest, latest_since), latest_since)

    if household_kind and rng.random() < 0.85:
        address = batch.plans[household_of].customer["address"]
    else:
        address = draw_street_address(rng, city)
    email = None
    if rng.random() < (0.92 if age < 60 else 0.5):
        if style != "western" and rng.random() < 0.35:
            email = f"{rng.randrange(10**7, 10**10)}@qq.com"
        else:
            handle = "".join(char for char in f"{given_name}.{family_name}".lower() if char.isascii()
                             and (char.isalnum() or char == "."))
            suffix = rng.randrange(1, 999) if rng.random() < 0.7 else ""
            email = f"{handle}{suffix}@{rng.choice(EMAIL_DOMAINS)}"
    if style == "western":
        # Foreign nationals are identified by their passport number.
        id_number = f"{rng.choice('EGKPX')}{rng.randrange(10**7, 10**8)}"
    else:
        area = rng.choice(city.area_codes) if rng.random() < 0.55 else rng.choice(OTHER_AREA_CODES)
        id_number = draw_resident_id(rng, area, birth, id_gender)

    risk = draw_risk_tolerance(rng, age, segment)
    if age < 45:
        channel = rng.choice([Channel.MOBILE_APP, Channel.MOBILE_APP, Channel.MESSAGING, Channel.PHONE])
    else:
        channel = rng.choice([Channel.BRANCH, Channel.PHONE, Channel.PHONE, Channel.MOBILE_APP])
    plan = Plan(
        kind=CustomerKind.INDIVIDUAL,
        branch_code=branch_code,
        manager_id=batch.manager(branch_code),
        customer={
            "display_name": display,
            "status": status,
            "segment": segment,
            "since": since,
            "id_number": id_number,
            "phone": draw_mobile(rng),
            "email": email,
            "address": address,
            "is_vulnerable": (age >= 78 and rng.random() < 0.3) or rng.random() < 0.004,
            "do_not_contact": rng.random() < 0.02,
        },
        profile={
            "given_name": given_name,
            "family_name": family_name,
            "local_name": local_name,
            "gender": gender,
            "date_of_birth": birth,
            "occupation": occupation,
            "employer": employer,
            "annual_income": income,
            "income_band": band_floor(income),
            "preferred_language": language,
            "preferred_channel": channel,
            "credit_rating": rng.choice(("A", "A", "B", "B", "B", "C")) if rng.random() < 0.6 else "",
            "risk_tolerance": risk,
        },
        age=age,
        gender=gender,
        name_style=style,
        family=family,
    )
    if household_of is not None:
        if household_kind == RelationshipKind.SPOUSE:
            plan.married_to = household_of
            batch.plans[household_of].married_to = index
            plan.links_out.append((household_of, RelationshipKind.SPOUSE, "", None))
        else:
            role = "Son" if id_gender == Gender.MALE else "Daughter"
            plan.links_out.append((household_of, RelationshipKind.HOUSEHOLD_MEMBER, role, None))
    plan_individual_holdings(batch, plan, segment, status, since, risk)
    plan_interactions(batch, plan, since, status)
    plan_needs(batch, plan, since)
    return plan


def draw_employer(rng: random.Random, city: City, kind: str, *, english: bool = False) -> str:
    """An employer of `kind` (an OCCUPATIONS employer kind) in `city`; "" for none."""
    if kind == "company":
        a, b = rng.sample(TRADE_SYLLABLES, 2)
        industry = rng.choice(INDUSTRIES)
        if english:
            return f"{city.en} {(a[1] + b[1]).capitalize()} {industry[1]} Co., Ltd."
        return f"{city.zh}{a[0]}{b[0]}{industry[0]}有限公司"
    if kind == "hospital":
        return f"{city.zh}市{rng.choice(HOSPITALS)}"
    if kind == "school":
        return f"{city.zh}市{rng.choice(SCHOOLS)}"
    if kind == "university":
        return f"{city.zh}{rng.choice(UNIVERSITIES)}"
    if kind == "government":
        return f"{city.zh}{rng.choice(GOVERNMENT)}"
    if kind == "law":
        return f"{rng.choice(LAW_FIRMS)}{city.zh}分所"
    if kind == "own":
        return "Self-employed"
    return ""


def draw_risk_tolerance(rng: random.Random, age: int, segment: str) -> str:
    """A risk profile that grows more cautious with age ("" for some: never assessed)."""
    if rng.random() < 0.08:
        return ""
    levels = list(RiskTolerance)
    centre = 2.2 if age < 40 else 1.6 if age < 60 else 0.8
    if segment == Segment.PRIVATE:
        centre += 0.6
    position = min(len(levels) - 1, max(0, round(rng.gauss(centre, 1.0))))
    return levels[position].value
