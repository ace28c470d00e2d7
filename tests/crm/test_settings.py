"""Production configuration fails fast, naming what is missing, and passes check --deploy."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "DATABASE_URL": "postgres://crm:unused@db.internal:5432/crm",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "ALLOWED_HOSTS": "crm.bank.example",
    "FIELD_ENCRYPTION_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
    "BLIND_INDEX_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
}


def _run(arguments: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items()
             if key not in PRODUCTION_ENV
             and key not in {"CRM_DATA_DIR", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=BASE_DIR,
        env={**clean, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("missing", sorted(set(PRODUCTION_ENV) - {"DJANGO_ENV"}))
def test_production_without_a_variable_stops_naming_it(missing):
    environment = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}

    result = _run(["manage.py", "check"], environment)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr
    for present in set(PRODUCTION_ENV) - {missing, "DJANGO_ENV"}:
        assert f" {present}" not in result.stderr.split("unset:")[-1]
        assert PRODUCTION_ENV[present] not in result.stderr


def test_production_passes_check_deploy_without_warnings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_a_non_postgres_database():
    result = _run(["manage.py", "check"], {**PRODUCTION_ENV, "DATABASE_URL": "sqlite:///x.db"})

    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


def test_development_secrets_are_generated_into_the_data_folder(tmp_path):
    environment = {"CRM_DATA_DIR": str(tmp_path), "DATABASE_URL": PRODUCTION_ENV["DATABASE_URL"],
                   "REDIS_URL": PRODUCTION_ENV["REDIS_URL"]}

    result = _run(["-c", "import django; django.setup(); from django.conf import settings; "
                   "print(len(settings.FIELD_ENCRYPTION_KEYS))"], environment)

    assert result.returncode == 0, result.stderr
    secrets_file = tmp_path / "dev-secrets.json"
    assert secrets_file.exists()
    assert oct(secrets_file.stat().st_mode & 0o777) == "0o600"
    assert result.stdout.strip() == "1"
