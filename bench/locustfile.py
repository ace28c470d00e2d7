"""Load scenario: relationship managers, branch managers and a core-banking system at once.

Run through `make load` (bench/load.py starts the production-style server and writes the
report); by hand against a running `make run`:

    LOAD_API_TOKEN=<token of svc.corebanking> locust -f bench/locustfile.py --headless \
        -u 50 -r 5 -t 5m --host http://127.0.0.1:8000

Only the standard library and locust are imported here: locust runs in its own process (or
its own virtualenv) and never loads Django. Every page must answer 200 (redirects are
followed as a browser does; landing on the sign-in page counts as an error: the session was
lost); the browser users sign in once with the demo accounts, the API users share the service
account's token.
"""

from __future__ import annotations

import itertools
import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("DEMO_PASSWORD") or "Demo-Bank-2026!"
API_TOKEN = os.environ.get("LOAD_API_TOKEN", "")
RELATIONSHIP_MANAGERS = itertools.cycle(["rm.chen", "rm.li", "rm.wong"])
BRANCH_MANAGERS = itertools.cycle(["manager.sun"])
CUSTOMER_LINK = re.compile(rb'href="/customers/(\d+)/"')
NAME_SEARCHES = ["wang", "li", "zhang", "chen", "liu"]


def _problem(response) -> str:
    """What went wrong: the status and where it landed, or the connection error's class."""
    if response.status_code == 0:  # no HTTP answer at all
        return f"no answer ({type(response.error).__name__}: {response.error})"[:200]
    return f"HTTP {response.status_code} at {(response.url or '').split('?')[0]}"


class _Browser(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    accounts = RELATIONSHIP_MANAGERS

    def on_start(self) -> None:
        self.customer_ids: list[int] = []
        login = self.client.get("/accounts/login/", name="sign-in page")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/accounts/login/", name="sign in", allow_redirects=False, catch_response=True,
            data={"username": next(self.accounts), "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": login.url},
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")

    def page(self, path: str, name: str, *, htmx: bool = False) -> bytes:
        # Redirects are followed, as a browser does (the list restores the last filters);
        # landing on the sign-in page means the session was lost.
        headers = {"HX-Request": "true"} if htmx else {}
        with self.client.get(path, name=name, headers=headers, catch_response=True) as response:
            if response.status_code != 200 or "/accounts/login/" in (response.url or ""):
                response.failure(_problem(response))
                return b""
            return response.content

    def remember_customers(self, content: bytes) -> None:
        found = [int(pk) for pk in CUSTOMER_LINK.findall(content)]
        if found:
            self.customer_ids = found

    def a_customer(self) -> int | None:
        return random.choice(self.customer_ids) if self.customer_ids else None


class RelationshipManager(_Browser):
    """An RM working the book: home, the list, searches, the 360° view and its timeline."""

    weight = 3

    @task(2)
    def home(self) -> None:
        self.page("/", "home")

    @task(3)
    def customer_list(self) -> None:
        self.remember_customers(self.page("/customers/", "customer list"))

    @task(1)
    def customer_list_filtered(self) -> None:
        self.remember_customers(self.page("/customers/?not_contacted_days=90&sort=name",
                                          "customer list, filtered"))

    @task(1)
    def name_search(self) -> None:
        self.page(f"/customers/?q={random.choice(NAME_SEARCHES)}", "customer list, name search")

    @task(4)
    def customer_360(self) -> None:
        customer = self.a_customer()
        if customer is None:
            return self.customer_list()
        self.page(f"/customers/{customer}/", "customer 360")
        return None

    @task(1)
    def timeline(self) -> None:
        customer = self.a_customer()
        if customer is not None:
            self.page(f"/customers/{customer}/interactions/", "customer timeline (htmx)", htmx=True)


class BranchManager(_Browser):
    """A branch manager overseeing the branch: home, the branch's customers, the books."""

    weight = 1
    accounts = BRANCH_MANAGERS

    @task(2)
    def home(self) -> None:
        self.page("/", "home")

    @task(3)
    def customer_list(self) -> None:
        self.remember_customers(self.page("/customers/", "customer list"))

    @task(1)
    def books(self) -> None:
        self.page("/customers/books/", "books")

    @task(2)
    def customer_360(self) -> None:
        customer = self.a_customer()
        if customer is None:
            return self.customer_list()
        self.page(f"/customers/{customer}/", "customer 360")
        return None


class CoreBankingSystem(HttpUser):
    """The core-banking system reading customers through the API with its token."""

    weight = 2
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Token {API_TOKEN}"
        self.customer_ids: list[int] = []

    def _get(self, path: str, name: str) -> dict:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(_problem(response))
                return {}
            return response.json()

    @task(3)
    def customer_pages(self) -> None:
        first = self._get("/api/v1/customers/?page_size=50", "API customer list")
        self.customer_ids = [row["id"] for row in first.get("results", [])] or self.customer_ids
        if first.get("next"):
            self._get(first["next"], "API customer list, next page")

    @task(3)
    def customer(self) -> None:
        if not self.customer_ids:
            return self.customer_pages()
        self._get(f"/api/v1/customers/{random.choice(self.customer_ids)}/", "API customer")
        return None

    @task(1)
    def imports(self) -> None:
        self._get("/api/v1/imports/", "API import jobs")
