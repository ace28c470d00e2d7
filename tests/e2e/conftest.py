"""Playwright drives Debian's Chromium (never a downloaded browser) against live_server."""

from __future__ import annotations

import os

import pytest

from customers import permissions
from tests.e2e.portal import keep_at_home

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]



@pytest.fixture(autouse=True, scope="session")
def _allow_orm_beside_playwright():
    # Playwright's sync API runs an event loop in the test thread; the ORM calls in the test
    # body and in database teardown are synchronous and safe here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True,
            "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _role_permissions(transactional_db):
    """The roles' customer permissions as the policy grants them (a transactional test empties
    every table afterwards, and the permission rows come back with new ids)."""
    permissions.permission_id.cache_clear()
    permissions.sync_role_permissions()
    yield
    permissions.permission_id.cache_clear()


@pytest.fixture
def offline_page(page, live_server):
    """A page whose requests to any origin but the live server are recorded and refused."""
    foreign = keep_at_home(page, live_server.url)
    page.foreign_requests = foreign
    yield page
    assert foreign == [], f"the page tried to load from other origins: {foreign}"
