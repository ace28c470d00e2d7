"""Sign-in, lock-out, session expiry and login-required pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_every_page_requires_login(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_signing_in_reaches_home(client, relationship_manager):
    response = _login(client, "rm.one", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_redisplays_form_with_message(client, relationship_manager):
    response = _login(client, "rm.one", "not-the-password")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_ten_failures_lock_the_account_even_for_the_right_password(client, relationship_manager):
    for _attempt in range(10):
        _login(client, "rm.one", "wrong-password-123")

    response = _login(client, "rm.one", PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # The refused eleventh attempt is recorded too.
    assert AccessAttempt.objects.get(username="rm.one").failures_since_start == 11


def test_nine_failures_do_not_lock(client, relationship_manager):
    for _attempt in range(9):
        _login(client, "rm.one", "wrong-password-123")

    response = _login(client, "rm.one", PASSWORD)

    assert response.status_code == 302
    assert AccessAttempt.objects.filter(username="rm.one").count() == 0  # reset on success


def test_lock_out_ends_after_thirty_minutes(client, relationship_manager):
    for _attempt in range(10):
        _login(client, "rm.one", "wrong-password-123")
    AccessAttempt.objects.filter(username="rm.one").update(
        attempt_time=timezone.now() - timedelta(minutes=31)
    )

    response = _login(client, "rm.one", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_lock_out_is_per_account(client, relationship_manager, branch_staff):
    for _attempt in range(10):
        _login(client, "rm.one", "wrong-password-123")

    response = _login(client, "staff.one", PASSWORD)

    assert response.status_code == 302


def test_session_expires_after_fifteen_idle_minutes(client, relationship_manager, settings):
    _login(client, "rm.one", PASSWORD)
    client.get(reverse("home"))
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = session.expire_date - timezone.now()
    assert timedelta(minutes=14) < remaining <= timedelta(minutes=15)

    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_activity_extends_the_session(client, relationship_manager):
    _login(client, "rm.one", PASSWORD)
    session_key = client.session.session_key
    Session.objects.filter(pk=session_key).update(expire_date=timezone.now() + timedelta(minutes=2))

    client.get(reverse("home"))

    remaining = Session.objects.get(pk=session_key).expire_date - timezone.now()
    assert remaining > timedelta(minutes=14)


def test_logout_needs_post_and_ends_the_session(client, relationship_manager):
    _login(client, "rm.one", PASSWORD)

    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))

    assert client.get(reverse("home")).status_code == 302


def test_password_change_page(client, relationship_manager):
    _login(client, "rm.one", PASSWORD)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )

    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    relationship_manager.refresh_from_db()
    assert relationship_manager.check_password(PASSWORD)
