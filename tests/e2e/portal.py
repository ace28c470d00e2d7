"""What the browser tests of several pages share: signing in, the roles' permissions, the language."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect

from customers import permissions
from tests.factories import PASSWORD


@pytest.fixture
def role_permissions(transactional_db):
    """The roles' customer permissions, as migration 0002 grants them (a transactional test
    empties every table, and the permission rows come back under new ids)."""
    grants = importlib.import_module("customers.migrations.0002_role_permissions").ROLE_PERMISSIONS
    permissions.permission_id.cache_clear()
    for role, codenames in grants.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="customers",
                                                         codename__in=codenames))
    yield
    permissions.permission_id.cache_clear()


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("user-name")).to_be_visible()


def choose_language(page, code: str) -> None:
    """Pick a language in the header's selector, as a user does (the page reloads in it)."""
    with page.expect_navigation():
        page.locator("#language-select").select_option(code)
    expect(page.locator("html")).to_have_attribute("lang", code)
