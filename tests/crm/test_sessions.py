"""crm.sessions: database sessions whose refresh on every request is one UPDATE."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.utils import timezone

from crm.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_new_session_is_created_and_read_back():
    store = SessionStore()
    store["search"] = "token"
    store.save()

    assert SessionStore(session_key=store.session_key)["search"] == "token"


def test_refreshing_a_session_is_one_update_that_moves_the_expiry(django_assert_num_queries):
    store = SessionStore()
    store["n"] = 1
    store.save()
    soon = timezone.now() + datetime.timedelta(minutes=1)
    Session.objects.filter(pk=store.session_key).update(expire_date=soon)
    store["n"] = 2

    with django_assert_num_queries(1) as captured:
        store.save()

    assert captured.captured_queries[0]["sql"].startswith('UPDATE "django_session"')
    row = Session.objects.get(pk=store.session_key)
    assert row.get_decoded() == {"n": 2}
    assert row.expire_date - timezone.now() > datetime.timedelta(minutes=14)


def test_refreshing_a_deleted_session_raises_update_error():
    store = SessionStore()
    store["n"] = 1
    store.save()
    Session.objects.filter(pk=store.session_key).delete()

    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.exists()
