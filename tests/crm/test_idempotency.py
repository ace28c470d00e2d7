"""The Idempotency-Key mechanism (crm.api.idempotency), on a probe view that writes a branch.

The probe is routed under /api/ in this module's URLconf so requests pass through the real
middleware (request id, audit context) and the API's error format. Encryption and audit notes
come from the Protection that compliance registers at start-up.
"""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.urls import path
from django.utils import timezone
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from compliance.audit import note_pii_revealed
from compliance.crypto import decrypt
from compliance.models import AuditEvent
from crm.api import idempotency
from crm.api.idempotency import RESPONSE_CONTEXT, idempotency_records_purge, idempotent, note_subject
from crm.models import Branch, IdempotencyRecord
from crm.roles import Role
from crm.tasks import idempotency_records_purge as purge_task
from tests.factories import UserFactory

PROBE_URL = "/api/v1/probe/"
OTHER_URL = "/api/v1/probe-other/"

# For the concurrency tests: the probe sets _entered, then waits for _hold before answering.
_hold = threading.Event()
_hold.set()
_entered = threading.Event()


class ProbeInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=16)
    name = serializers.CharField(max_length=120)
    secret = serializers.CharField(required=False)


class ProbeView(APIView):
    """Creates a branch; answers with data that includes a (test) secret in clear, and names
    the branch's region (a probe record type) as what it concerns."""

    @idempotent
    def post(self, request):
        data = ProbeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        branch = Branch.objects.create(
            code=data.validated_data["code"], name=data.validated_data["name"], region="Test"
        )
        note_pii_revealed(object_type="crm.branch", object_id=branch.pk, fields=["name"])
        note_subject("probe.region", branch.region)
        _entered.set()
        _hold.wait(timeout=30)
        return Response(
            {"id": branch.pk, "code": branch.code, "secret": data.validated_data.get("secret", "")},
            status=201,
        )


urlpatterns = [
    path("api/v1/probe/", ProbeView.as_view()),
    path("api/v1/probe-other/", ProbeView.as_view()),
]

pytestmark = pytest.mark.urls(__name__)


# What the replay checks were asked, and what they answer: (object_type, ids, clear_fields).
_checks_asked: list[tuple] = []
_replay_allowed = {"crm.branch": True, "probe.region": True}


def _probe_check(object_type):
    def check(user, ids, *, clear_fields):
        _checks_asked.append((object_type, list(ids), list(clear_fields)))
        return _replay_allowed[object_type]
    return check


@pytest.fixture(autouse=True)
def _probe_replay_checks():
    # The probe's record types belong to no app: this module answers for them.
    previous = {name: idempotency.register_replay_check(name, _probe_check(name)) for name in _replay_allowed}
    _checks_asked.clear()
    _replay_allowed.update({name: True for name in _replay_allowed})
    yield
    for name, check in previous.items():
        idempotency.register_replay_check(name, check)


@pytest.fixture
def user(db):
    return UserFactory(role=Role.SERVICE_ACCOUNT, username="svc.probe")


@pytest.fixture
def client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _post(client, body, key="key-1", url=PROBE_URL):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(url, body, format="json", **headers)


def test_without_a_key_every_request_runs(client):
    first = _post(client, {"code": "P1", "name": "Probe"}, key=None)
    second = _post(client, {"code": "P2", "name": "Probe"}, key=None)

    assert (first.status_code, second.status_code) == (201, 201)
    assert Branch.objects.filter(region="Test").count() == 2
    assert IdempotencyRecord.objects.count() == 0


def test_a_retry_with_the_same_key_and_body_replays_the_first_response(client, user):
    body = {"code": "P1", "name": "Probe", "secret": "S3cret-Value"}

    first = _post(client, body)
    retry = _post(client, body)

    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert Branch.objects.filter(code="P1").count() == 1
    record = IdempotencyRecord.objects.get()
    assert (record.user_id, record.key, record.method, record.path, record.status_code) == (
        user.pk,
        "key-1",
        "POST",
        PROBE_URL,
        201,
    )


def test_the_stored_response_is_encrypted(client):
    _post(client, {"code": "P1", "name": "Probe", "secret": "S3cret-Value"})

    record = IdempotencyRecord.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT response FROM crm_idempotencyrecord WHERE id = %s", [record.pk])
        (stored,) = cursor.fetchone()
    assert "S3cret-Value" not in stored
    assert stored.startswith("v2:")
    assert "S3cret-Value" in decrypt(stored, context=RESPONSE_CONTEXT)


def test_key_order_and_spacing_of_the_body_do_not_matter(client):
    first = client.post(
        PROBE_URL,
        '{"code": "P1", "name": "Probe"}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="key-1",
    )
    retry = client.post(
        PROBE_URL,
        '{"name":"Probe","code":"P1"}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="key-1",
    )

    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json()["id"] == first.json()["id"]


def test_the_same_key_with_another_body_is_refused_with_422(client):
    _post(client, {"code": "P1", "name": "Probe"})

    response = _post(client, {"code": "P2", "name": "Probe"})

    assert response.status_code == 422
    body = response.json()
    assert body["error"]["status"] == 422
    assert body["error"]["code"] == "idempotency_key_reused"
    assert body["request_id"] == response["X-Request-ID"]
    assert not Branch.objects.filter(code="P2").exists()


def test_the_same_key_on_another_path_is_refused_with_422(client):
    _post(client, {"code": "P1", "name": "Probe"})

    response = _post(client, {"code": "P1", "name": "Probe"}, url=OTHER_URL)

    assert response.status_code == 422
    assert Branch.objects.filter(code="P1").count() == 1


def test_keys_belong_to_one_user(client, user):
    other = APIClient()
    other.force_authenticate(UserFactory(role=Role.SERVICE_ACCOUNT, username="svc.other"))

    first = _post(client, {"code": "P1", "name": "Probe"})
    second = _post(other, {"code": "P2", "name": "Probe"})

    assert (first.status_code, second.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in second
    assert IdempotencyRecord.objects.count() == 2


def test_an_error_response_is_not_stored_and_the_key_stays_usable(client):
    refused = _post(client, {"code": "P1"})
    fixed = _post(client, {"code": "P1", "name": "Probe"})

    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {"name": ["This field is required."]}
    assert fixed.status_code == 201
    assert "Idempotent-Replayed" not in fixed
    assert IdempotencyRecord.objects.get().status_code == 201


@pytest.mark.parametrize("key", ["", "with space", "x" * 256, "naïve"])
def test_a_malformed_key_is_a_field_error(client, key):
    response = _post(client, {"code": "P1", "name": "Probe"}, key=key)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["Idempotency-Key"]
    assert not Branch.objects.filter(code="P1").exists()
    assert IdempotencyRecord.objects.count() == 0


def test_an_expired_key_runs_the_request_again(client):
    first = _post(client, {"code": "P1", "name": "Probe"})
    IdempotencyRecord.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    again = _post(client, {"code": "P9", "name": "Probe"})

    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert again.json()["id"] != first.json()["id"]
    assert IdempotencyRecord.objects.get().path == PROBE_URL


def test_records_are_kept_for_24_hours(client):
    before = timezone.now()
    _post(client, {"code": "P1", "name": "Probe"})

    record = IdempotencyRecord.objects.get()
    assert before + datetime.timedelta(hours=24) <= record.expires_at
    assert record.expires_at <= timezone.now() + datetime.timedelta(hours=24)


def test_a_replay_is_audited_as_a_reveal_like_the_first_response(client, user):
    _post(client, {"code": "P1", "name": "Probe"})
    branch_id = Branch.objects.get(code="P1").pk
    events_after_first = AuditEvent.objects.filter(action="pii.revealed").count()

    _post(client, {"code": "P1", "name": "Probe"})

    reveals = list(AuditEvent.objects.filter(action="pii.revealed").order_by("sequence"))
    assert events_after_first == 1
    assert len(reveals) == 2
    assert reveals[-1].actor_id == user.pk
    assert reveals[-1].fields == ["name"]
    assert reveals[-1].extra["objects"] == {"crm.branch": [branch_id]}


def test_a_replay_asks_the_checks_about_what_it_shows(client):
    _post(client, {"code": "P1", "name": "Probe"})
    branch_id = Branch.objects.get(code="P1").pk
    assert _checks_asked == []

    _post(client, {"code": "P1", "name": "Probe"})

    # The branch was shown in clear (its name), the region named as the answer's subject.
    assert sorted(_checks_asked) == [("crm.branch", [branch_id], ["name"]), ("probe.region", ["Test"], [])]


@pytest.mark.parametrize("refusing", ["crm.branch", "probe.region"])
def test_a_replay_the_checks_refuse_answers_404_and_shows_nothing(client, refusing):
    first = _post(client, {"code": "P1", "name": "Probe", "secret": "S3cret-Value"})
    revealed_before = AuditEvent.objects.filter(action="pii.revealed").count()
    _replay_allowed[refusing] = False

    retry = _post(client, {"code": "P1", "name": "Probe", "secret": "S3cret-Value"})

    assert first.status_code == 201
    assert retry.status_code == 404
    assert retry.json()["error"] == {"status": 404, "code": "not_found", "message": "Not found."}
    assert "S3cret-Value" not in retry.content.decode()
    assert "Idempotent-Replayed" not in retry
    assert AuditEvent.objects.filter(action="pii.revealed").count() == revealed_before
    assert Branch.objects.filter(code="P1").count() == 1
    # The answer is kept: once access returns, the replay shows it again.
    _replay_allowed[refusing] = True
    assert _post(client, {"code": "P1", "name": "Probe", "secret": "S3cret-Value"}).json() == first.json()


def test_a_replay_showing_a_record_type_no_app_checks_answers_404(client):
    _post(client, {"code": "P1", "name": "Probe"})
    previous = idempotency.register_replay_check("probe.region", None)
    try:
        retry = _post(client, {"code": "P1", "name": "Probe"})
    finally:
        idempotency.register_replay_check("probe.region", previous)

    assert retry.status_code == 404


def test_purge_deletes_only_expired_records(client, user):
    _post(client, {"code": "P1", "name": "Probe"}, key="fresh")
    _post(client, {"code": "P2", "name": "Probe"}, key="old-1")
    _post(client, {"code": "P3", "name": "Probe"}, key="old-2")
    IdempotencyRecord.objects.filter(key__startswith="old").update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    deleted = idempotency_records_purge(batch_size=1)

    assert deleted == 2
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]
    assert idempotency_records_purge() == 0


def test_the_purge_task_runs_the_purge(client):
    _post(client, {"code": "P1", "name": "Probe"}, key="old")
    IdempotencyRecord.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    result = purge_task.delay()

    assert result.get() == 1
    assert IdempotencyRecord.objects.count() == 0


@pytest.fixture
def without_protection():
    previous = idempotency.register_protection(None)
    yield
    idempotency.register_protection(previous)


def test_the_trust_layer_registers_the_protection_at_start_up():
    assert idempotency.check_protection() == []


def test_without_a_protection_a_keyed_request_stores_nothing_in_clear(client, without_protection):
    with pytest.raises(ImproperlyConfigured):
        _post(client, {"code": "P1", "name": "Probe", "secret": "S3cret-Value"})
    unkeyed = _post(client, {"code": "P2", "name": "Probe"}, key=None)

    assert IdempotencyRecord.objects.count() == 0
    assert not Branch.objects.filter(code="P1").exists()
    assert unkeyed.status_code == 201


def test_without_a_protection_the_system_check_fails(without_protection):
    (error,) = idempotency.check_protection()

    assert (error.id, error.level) == ("crm.E001", checks.ERROR)


def test_the_purge_is_scheduled_in_beat():
    schedules = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]

    assert "crm.tasks.idempotency_records_purge" in schedules


# --- concurrent duplicates --------------------------------------------------------------------


def _concurrently(user, body, *, first_hold_seconds: float):
    """Send two requests with one key; the first holds its transaction open for a while."""
    results: dict[str, object] = {}

    def send(name: str) -> None:
        try:
            client = APIClient()
            client.force_authenticate(user)
            results[name] = _post(client, body)
        except BaseException as exc:  # reported in the test's thread
            results[name] = exc
        finally:
            connection.close()

    _hold.clear()
    _entered.clear()
    first = threading.Thread(target=send, args=("first",))
    first.start()
    assert _entered.wait(timeout=10)  # the first request now holds the key, uncommitted
    second = threading.Thread(target=send, args=("second",))
    second.start()
    time.sleep(first_hold_seconds)
    _hold.set()
    first.join(timeout=30)
    second.join(timeout=30)
    return results["first"], results["second"]


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_duplicate_waits_for_the_first_and_replays_it():
    user = UserFactory(username="svc.concurrent")

    first, second = _concurrently(user, {"code": "PC1", "name": "Probe"}, first_hold_seconds=0.5)

    assert first.status_code == 201
    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert Branch.objects.filter(code="PC1").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_duplicate_that_waits_too_long_gets_409(monkeypatch):
    monkeypatch.setattr(idempotency, "LOCK_WAIT_MS", 200)
    user = UserFactory(username="svc.impatient")

    first, second = _concurrently(user, {"code": "PC2", "name": "Probe"}, first_hold_seconds=1.5)

    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "idempotency_key_in_use"
    assert Branch.objects.filter(code="PC2").count() == 1
    assert IdempotencyRecord.objects.count() == 1
