"""Suite-wide fixtures: Celery runs tasks eagerly, users per role, an API client."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from crm.celery import app as celery_app
from crm.roles import Role
from tests.factories import BranchFactory, UserFactory


@pytest.fixture(autouse=True, scope="session")
def _celery_eager():
    # pytest-django's settings fixture does not reach the Celery app's conf.
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def celery_not_eager():
    """Celery sends tasks to the broker, as in production, for the length of one test."""
    celery_app.conf.task_always_eager = False
    yield celery_app
    celery_app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _bank_language():
    # A request in another language leaves it active in this thread (LocaleMiddleware activates
    # it and nothing deactivates it after the response); the next test starts in the bank's.
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _close_circuit_breakers():
    # A test that takes Redis away opens them; the next test starts with Redis answering.
    from crm.api.throttling import cache_breaker
    from crm.outbox import broker_breaker

    yield
    cache_breaker.reset()
    broker_breaker.reset()


@pytest.fixture
def private_valkey(tmp_path):
    """A Valkey server of this test's own (tests/valkey.py), stopped at the end."""
    from tests.valkey import PrivateValkey

    server = PrivateValkey(tmp_path / "valkey")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def private_celery(private_valkey):
    """A Celery app on `private_valkey` as the current app: tasks go to that broker."""
    from celery import Celery

    app = Celery("faults", broker=private_valkey.url(), set_as_current=False)
    app.conf.task_default_queue = "celery"
    app.set_current()
    app.finalize()
    yield app
    celery_app.set_current()
    app.close()


@pytest.fixture
def branch(db):
    return BranchFactory(code="SH01", name="Shanghai Lujiazui", region="East China")


@pytest.fixture
def other_branch(db):
    return BranchFactory(code="GZ01", name="Guangzhou Tianhe", region="South China")


@pytest.fixture
def relationship_manager(branch):
    return UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.one")


@pytest.fixture
def other_relationship_manager(other_branch):
    return UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=other_branch, username="rm.far")


@pytest.fixture
def branch_staff(branch):
    return UserFactory(role=Role.BRANCH_STAFF, branch=branch, username="staff.one")


@pytest.fixture
def branch_manager(branch):
    return UserFactory(role=Role.BRANCH_MANAGER, branch=branch, username="manager.one")


@pytest.fixture
def compliance_officer(db):
    return UserFactory(role=Role.COMPLIANCE_OFFICER, branch=None, username="compliance.one")


@pytest.fixture
def service_account(db):
    return UserFactory(role=Role.SERVICE_ACCOUNT, branch=None, username="svc.core")


@pytest.fixture
def administrator(db):
    return UserFactory(role=Role.ADMINISTRATOR, branch=None, username="admin.one",
                       is_staff=True, is_superuser=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with the audit table's TRUNCATE guard switched off.

    Transactional tests (`transaction=True`, live_server) empty the database with one
    TRUNCATE of every table, which the append-only trigger refuses. Only the TRUNCATE guard is
    disabled, and only in the test database: UPDATE and DELETE stay refused, and the tests of
    the guard itself enable it again inside their own transaction.
    """
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE compliance_auditevent DISABLE TRIGGER compliance_auditevent_no_truncate"
        )
    yield


@pytest.fixture
def own_panels_only(monkeypatch):
    """The customer page as the customers app draws it: its own registered panels (suitable
    offers) stay; the panels higher apps register (loyalty's) count their queries in their own
    tests."""
    from customers.overview import panels

    monkeypatch.setattr(panels, "_PANELS", {name: panel for name, panel in panels._PANELS.items()
                                             if panel.template.startswith("customers/")})
