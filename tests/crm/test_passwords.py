"""Passwords are hashed with Argon2id; an older PBKDF2 hash is rewritten at sign-in."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher, make_password
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_argon2id_is_the_first_hasher_and_pbkdf2_still_verifies():
    hasher = get_hasher("default")

    assert isinstance(hasher, Argon2PasswordHasher)
    assert (hasher.memory_cost, hasher.time_cost, hasher.parallelism) == (19456, 2, 1)
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in settings.PASSWORD_HASHERS[1:]
    assert make_password(PASSWORD).startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_pbkdf2_hash_is_upgraded_to_argon2id_on_sign_in(client, relationship_manager):
    relationship_manager.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    relationship_manager.save(update_fields=["password"])

    response = client.post(reverse("login"), {"username": "rm.one", "password": PASSWORD})

    assert response.status_code == 302
    relationship_manager.refresh_from_db()
    assert relationship_manager.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert relationship_manager.check_password(PASSWORD)


def test_a_sign_in_writes_no_second_access_log_beside_the_audit_chain(client, relationship_manager):
    from axes.models import AccessLog

    client.post(reverse("login"), {"username": "rm.one", "password": PASSWORD})

    assert AccessLog.objects.count() == 0
