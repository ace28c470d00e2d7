"""What the benchmark asks of the portal, chosen from the data rather than from the demo's
named accounts: the biggest branch and its manager, the biggest book and its RM, the most
common names as search terms, and copied customers looked up by their own phone numbers.

Surfaces are driven by URL name or path only, the way a browser or a bank system reaches
them, so the views behind them may change freely.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from urllib.parse import urlencode

from bench.timing import Step, Surface

__all__ = ["Subjects", "growth_pairs", "plan_surfaces"]

PHONE_TARGET_MS = 20.0
TARGET_MS = 150.0
API_LIST = "/api/v1/customers/"
API_SEARCH = "/api/v1/customers/search/"
SMALL_BOOK = 30


def _staff_user(*, username: str, branch, role: str, title: str, employee_number: str):
    """A member of staff of `branch` holding `role`, made once, with the demo password."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from crm.demo import demo_password
    from crm.models import StaffProfile

    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": "Bench", "last_name": title})
    if created:
        user.set_password(demo_password())
        user.save(update_fields=["password"])
        StaffProfile.objects.create(user=user, branch=branch, employee_number=employee_number, title=title)
        user.groups.add(Group.objects.get(name=role))
    return user


def branch_manager_of(branch):
    """The branch's first active branch manager, or a benchmark one made for it."""
    from django.contrib.auth import get_user_model

    from crm.roles import Role

    found = (get_user_model().objects.filter(groups__name=Role.BRANCH_MANAGER.value, is_active=True,
                                             staff_profile__branch=branch).order_by("pk").first())
    return found or _staff_user(username=f"manager.bench.{branch.code.lower()}", branch=branch,
                                role=Role.BRANCH_MANAGER.value, title="Branch manager",
                                employee_number=f"BENCHM{branch.code}")


@dataclass
class Sample:
    """A customer the benchmark looks up: its id, number and phone (never printed)."""

    pk: int
    number: str
    phone: str
    copied: bool


class Subjects:
    """The users, terms and customers of one run, all chosen from the data.

    Customers after the first `base` by id are copies (see `bench.copies`); the exact
    lookups pick a copy at random (seeded by `seed`) when there are any.
    Raise SystemExit if the service account is missing or a user the benchmark signs in as
    over HTTP does not have the demo password.
    """

    def __init__(self, *, seed: int, base: int) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models import Count

        from crm.models import Branch
        from customers.models import Customer, IndividualProfile

        self.rng = random.Random(f"bench:{seed}")
        self.api_token = ""  # set once issued: the service account's raw token
        biggest = (Customer.objects.values("home_branch").annotate(n=Count("id"))
                   .order_by("-n", "home_branch").first())
        if biggest is None:
            raise SystemExit("The benchmark database holds no customers.")
        self.branch = Branch.objects.get(pk=biggest["home_branch"])
        self.branch_size = biggest["n"]
        self.branch_manager = branch_manager_of(self.branch)
        book = (Customer.objects.filter(relationship_manager__isnull=False).values("relationship_manager")
                .annotate(n=Count("id")).order_by("-n", "relationship_manager").first())
        self.relationship_manager = get_user_model().objects.get(pk=book["relationship_manager"])
        self.book_size = book["n"]
        self.service_account = get_user_model().objects.filter(username="svc.corebanking").first()
        if self.service_account is None:
            raise SystemExit("The demo service account svc.corebanking is missing.")
        self._check_passwords()

        family = (IndividualProfile.objects.values("family_name").annotate(n=Count("customer"))
                  .order_by("-n", "family_name").first()["family_name"])
        # Two tokens need two different words: "li li" would search for one.
        given = (IndividualProfile.objects.filter(family_name=family).exclude(given_name__iexact=family)
                 .values("given_name").annotate(n=Count("customer")).order_by("-n", "given_name")
                 .first()["given_name"])
        self.one_token = family.lower()
        self.two_tokens = f"{family} {given}".lower()
        given = given.lower()
        # A typo: the first two letters of the given name swapped.
        self.fuzzy = f"{self.one_token} {given[1::-1]}{given[2:]}"

        ids = Customer.objects.order_by("pk").values_list("pk", flat=True)
        self.copies_after = ids[base - 1] if base > 0 and Customer.objects.count() > base else 0
        self.branch_lookup = self._sample(home_branch=self.branch)
        self.api_lookup = self._sample()
        self.detail = self._heaviest_customer()

    def _check_passwords(self) -> None:
        from crm.demo import demo_password

        for user in (self.relationship_manager, self.branch_manager):
            if not user.check_password(demo_password()):
                raise SystemExit(f"{user.username} does not have the demo password: set DEMO_PASSWORD "
                                 "to the password the benchmark database was seeded with.")

    def _sample(self, **filters) -> Sample:
        from customers.models import Customer

        candidates = (Customer.objects.filter(pk__gt=self.copies_after, phone__isnull=False, **filters)
                      .order_by("pk").values_list("pk", flat=True))
        count = candidates.count()
        if count == 0:
            raise SystemExit("No customer with a phone number to look up.")
        customer = Customer.objects.get(pk=candidates[self.rng.randrange(count)])
        return Sample(customer.pk, customer.number, customer.phone, copied=self.copies_after > 0)

    def _heaviest_customer(self):
        """A customer in the RM's book with the most interactions (the heaviest 360° page)."""
        from django.db.models import Count

        from customers.models import Customer

        candidates = list(Customer.objects.filter(relationship_manager=self.relationship_manager)
                          .order_by("pk").values_list("pk", flat=True)[:300])
        return (Customer.objects.filter(pk__in=candidates).annotate(n=Count("interactions"))
                .order_by("-n", "pk").first())

    def matches(self, user, term: str) -> int | None:
        """How many customers `user` finds for `term` (None if the search cannot say)."""
        try:
            from customers.selectors import customer_search

            return customer_search(actor=user, term=term).count()
        except Exception:  # the selector may be mid-change; the count is only a fact
            return None

    def small_book_manager(self):
        """An RM of the big book's branch with a book of SMALL_BOOK customers, made once."""
        from crm.roles import Role
        from customers.models import Customer
        from customers.services import customers_reassign

        branch = self.relationship_manager.staff_profile.branch
        user = _staff_user(username="rm.bench.small", branch=branch, role=Role.RELATIONSHIP_MANAGER.value,
                           title="Relationship manager", employee_number="BENCH001")
        if not Customer.objects.filter(relationship_manager=user).exists():
            ids = list(Customer.objects.filter(relationship_manager=self.relationship_manager)
                       .order_by("-pk").values_list("pk", flat=True)[:SMALL_BOOK])
            customers_reassign(actor=branch_manager_of(branch), customer_ids=ids, relationship_manager=user)
        return user

    @property
    def rm_label(self) -> str:
        return f"RM, biggest book ({self.book_size:,})"

    @property
    def manager_label(self) -> str:
        return f"branch manager, biggest branch {self.branch.code} ({self.branch_size:,})"


def _list(**query) -> Step:
    from django.urls import reverse

    path = reverse("customer-list")
    return Step(path=f"{path}?{urlencode(query)}" if query else path)


def plan_surfaces(subjects: Subjects) -> list[Surface]:
    """The surfaces timed in-process and over HTTP, in order."""
    from django.urls import reverse

    rm, manager = subjects.rm_label, subjects.manager_label
    kind = "a copied customer" if subjects.branch_lookup.copied else "a customer"
    surfaces = [
        Surface("Customer list", "rm", rm, (_list(),), TARGET_MS),
        Surface("Customer list", "manager", manager, (_list(),), TARGET_MS),
    ]
    for label, term in (("one token", subjects.one_token), ("two tokens", subjects.two_tokens)):
        for actor, actor_label in (("rm", rm), ("manager", manager)):
            surfaces.append(Surface(f"Name search, {label} '{term}'", actor, actor_label,
                                    (_list(q=term),), TARGET_MS))
    surfaces += [
        Surface(f"Name search, fuzzy '{subjects.fuzzy}'", "manager", manager, (_list(q=subjects.fuzzy),),
                TARGET_MS),
        Surface(f"Lookup by phone of {kind} (POST search, then the results page)", "manager", manager,
                (Step("POST", reverse("customer-search"), data={"q": subjects.branch_lookup.phone}), Step()),
                PHONE_TARGET_MS, expect=subjects.branch_lookup.number),
    ]
    if subjects.detail is not None:
        detail = subjects.detail
        surfaces.append(Surface("Customer 360", "rm", f"RM ({detail.interactions.count()} interactions)",
                                (Step(path=reverse("customer-detail", kwargs={"pk": detail.pk})),),
                                TARGET_MS, expect=detail.number))
    surfaces += [
        Surface(f"API GET {API_LIST}", "api", "service account (all customers)", (Step(path=API_LIST),),
                TARGET_MS),
        Surface(f"API POST {API_SEARCH}, phone of {kind}", "api", "service account (all customers)",
                (Step("POST", API_SEARCH, json={"q": subjects.api_lookup.phone}),), PHONE_TARGET_MS,
                expect=subjects.api_lookup.number),
    ]
    return surfaces


def growth_pairs(subjects: Subjects, small_book_user: str) -> list[tuple[str, Surface, Surface]]:
    """Pairs that must take the same number of queries: page sizes, and a small book against
    the biggest (`small_book_user` is the client key of the small book's RM)."""
    rm, manager = subjects.rm_label, subjects.manager_label
    return [
        ("Customer list, page size 25 vs 100 (RM)",
         Surface("size 25", "rm", rm, (_list(size=25),), TARGET_MS),
         Surface("size 100", "rm", rm, (_list(size=100),), TARGET_MS)),
        ("Customer list, page size 25 vs 100 (branch manager)",
         Surface("size 25", "manager", manager, (_list(size=25),), TARGET_MS),
         Surface("size 100", "manager", manager, (_list(size=100),), TARGET_MS)),
        ("API list, page_size 25 vs 100",
         Surface("page_size 25", "api", "service account", (Step(path=f"{API_LIST}?page_size=25"),),
                 TARGET_MS),
         Surface("page_size 100", "api", "service account", (Step(path=f"{API_LIST}?page_size=100"),),
                 TARGET_MS)),
        (f"Customer list, book of {SMALL_BOOK} vs {subjects.book_size:,}",
         Surface("small book", small_book_user, "RM", (_list(),), TARGET_MS),
         Surface("biggest book", "rm", "RM", (_list(),), TARGET_MS)),
    ]
