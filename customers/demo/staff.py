"""The staff the demo bank's customers need: relationship managers for books of about
BOOK_SIZE customers, and the branch staff who log counter interactions."""

from __future__ import annotations

import math
import random
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from crm.demo import CUSTOMER_BRANCHES, demo_password
from crm.models import Branch, StaffProfile
from crm.roles import Role
from customers.demo.reference import (
    BOOK_SIZE,
    BRANCH_PLAN,
    FAMILY_NAMES,
    FAMILY_WEIGHTS,
    GIVEN_FEMALE,
    GIVEN_MALE,
)
from customers.models import Gender

__all__ = ["branch_counts", "customer_branches", "ensure_relationship_managers", "floor_staff"]


def branch_counts(customers: int) -> dict[str, int]:
    """Expected customers per branch (for staffing; the draw itself is random)."""
    return {code: max(1, round(customers * share)) for code, (_city, share) in BRANCH_PLAN.items()}


def ensure_relationship_managers(*, customers: int, seed: int) -> tuple[dict[str, list[int]], int]:
    """Relationship managers per customer branch, creating demo RMs so that `customers`
    customers make books of about BOOK_SIZE; return ({branch code: [user ids]}, created).

    Every active RM of a branch is returned, so a bank staffed for more customers spreads a
    smaller load over all of them. New RMs are `rm.<branch>.<nnn>`, with the demo password
    (hashed once) and pinyin names drawn from the seed. Safe to run again.
    Raise `Branch.DoesNotExist` if the organisation has not been loaded.
    """
    branches = customer_branches()
    User = get_user_model()
    group, _created = Group.objects.get_or_create(name=Role.RELATIONSHIP_MANAGER.value)
    existing: dict[str, list[int]] = defaultdict(list)
    for user_id, code in (
        User.objects.filter(groups=group, is_active=True, staff_profile__branch__code__in=list(branches))
        .order_by("pk").values_list("pk", "staff_profile__branch__code")
    ):
        existing[code].append(user_id)
    password_hash = None
    created = 0
    rng = random.Random(f"demo-staff:{seed}")
    for code, expected in branch_counts(customers).items():
        needed = max(1, math.ceil(expected / BOOK_SIZE))
        number = 0
        while len(existing[code]) < needed:
            number += 1
            username = f"rm.{code.lower()}.{number:03d}"
            gender = rng.choice([Gender.MALE, Gender.FEMALE])
            pool = GIVEN_MALE if gender == Gender.MALE else GIVEN_FEMALE
            family = rng.choices(FAMILY_NAMES, weights=FAMILY_WEIGHTS)[0][1]
            given = "".join(syllable for _char, syllable in rng.sample(pool, 2)).capitalize()
            user = User.objects.filter(username=username).first()
            if user is None:
                if password_hash is None:
                    password_hash = make_password(demo_password())
                user = User.objects.create(
                    username=username, first_name=given, last_name=family, email=f"{username}@bank.example",
                    password=password_hash,
                )
                StaffProfile.objects.create(user=user, branch=branches[code],
                                            employee_number=f"R{code}{number:03d}",
                                            title="Relationship manager")
                user.groups.add(group)
                created += 1
            if user.pk not in existing[code]:
                existing[code].append(user.pk)
    return {code: existing[code] for code in BRANCH_PLAN}, created


def customer_branches() -> dict[str, Branch]:
    """The branches that serve customers, by code.

    Raise `Branch.DoesNotExist` if the organisation has not been loaded.
    """
    branches = {branch.code: branch for branch in Branch.objects.filter(code__in=CUSTOMER_BRANCHES)}
    missing = set(BRANCH_PLAN) - set(branches)
    if missing:
        raise Branch.DoesNotExist(f"Load the organisation first: branches {sorted(missing)} are missing.")
    return branches


def floor_staff(branches: dict[str, Branch]) -> dict[str, int]:
    """One branch-staff member per branch that has one (they log counter interactions)."""
    staff: dict[str, int] = {}
    for user_id, code in (
        get_user_model().objects.filter(groups__name=Role.BRANCH_STAFF.value, is_active=True,
                                        staff_profile__branch__code__in=list(branches))
        .order_by("pk").values_list("pk", "staff_profile__branch__code")
    ):
        staff.setdefault(code, user_id)
    return staff
