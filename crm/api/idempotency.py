"""`Idempotency-Key` for non-idempotent API writes (POST).

A client that may retry a POST (a timeout, a dropped connection) sends a key it chose, unique
per logical operation. The first request with a key runs and its successful response is
stored for 24 hours; a retry with the same key and the same body gets that response again,
with the header `Idempotent-Replayed: true`, and nothing runs twice. The same key with a
different method, path or body is refused with 422: the client is reusing a key by mistake.

How a concurrent duplicate is handled: the first request inserts the (user, key) row at the
start and keeps its transaction open while the view runs, so the unique constraint makes a
second request with the same key wait for the first to commit (then it replays the stored
response) or roll back (then it runs itself). A request that waits longer than
`LOCK_WAIT_MS` gets 409 and may retry. Because the stored response and the view's writes
commit together, a crash in between leaves neither behind.

Only successful (2xx) responses are stored. An error response means the services rolled
everything back, so running the request again is harmless and lets a client fix a transient
cause (a permission granted, a branch opened) and retry with the same key.

Stored bodies are what the caller saw and may contain personal data in clear: they are
encrypted under the context "crm.idempotencyrecord.response", together with the records and
field names the first response showed in clear, so that a replay is noted for the audit chain
(`pii.revealed`) exactly as the first response was.

A replay re-checks access. Access may have been revoked since the first response (the customer
reassigned away, a delegation ended, an import right withdrawn), so a stored body is shown
again only to a caller who may still see what it shows. While the view runs it names the
records its response concerns (`note_subject`); those, and the records the response showed in
clear, are stored with the body. The apps that own the records register a `ReplayCheck` per
record type (`register_replay_check`, from their AppConfig.ready()); a replay asks each check
and answers 404, as for any record the caller may not see, when one of them says no or when
no check is registered for a type the body shows.

Why this lives in the project package and how it reaches the trust layer: the mechanism is
API plumbing that every app's API uses, beside the error format and the pagination, and its
table and purge task are the project package's. Every app, the trust layer included, may
import the project package's base, so this module may import none of them. The two things it
needs from the trust layer, encryption and the audit notes of the current request, are lent
to it: `compliance` registers a `Protection` from its `AppConfig.ready()`, the way the domain
apps declare their sensitive fields to `compliance`. Dependencies run one way, compliance to
crm. Without a registration a request with a key fails (ImproperlyConfigured) instead of
storing a body in clear, and `manage.py check` reports crm.E001.

Use it on a DRF view method that handles POST::

    @extend_schema(parameters=[IDEMPOTENCY_KEY_PARAMETER], responses={201: ..., **IDEMPOTENCY_RESPONSES})
    @idempotent
    def create(self, request, *args, **kwargs): ...
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from crm.api.errors import error_body
from crm.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
RESPONSE_CONTEXT = "crm.idempotencyrecord.response"
RETENTION = datetime.timedelta(hours=24)
# How long a duplicate waits for the first request with its key before answering 409.
LOCK_WAIT_MS = 10_000
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces
_LOCK_NOT_AVAILABLE = "55P03"


class ErrorDetailOutputSerializer(serializers.Serializer):
    """The `error` object of the API's one error format (see crm.api.errors)."""

    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text=gettext_lazy("Only for validation errors: messages by field name."),
    )


class ErrorOutputSerializer(serializers.Serializer):
    """The API's error body, for the OpenAPI schema."""

    error = ErrorDetailOutputSerializer()
    request_id = serializers.CharField()


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    pattern=r"^[!-~]{1,255}$",  # KEY_PATTERN: printable ASCII (0x21-0x7e), as JSON Schema writes it
    description=gettext_lazy(
        "A unique key per operation (1-255 printable ASCII characters). A retry with the same key "
        "and body within 24 hours returns the first response with `Idempotent-Replayed: true` "
        "instead of repeating the write; the same key with another body is refused with 422. A "
        "malformed key is refused with 400 and a field error on `Idempotency-Key`."
    ),
)

IDEMPOTENCY_RESPONSES = {
    409: OpenApiResponse(
        ErrorOutputSerializer,
        description=gettext_lazy("Another request with this Idempotency-Key is still running; retry."),
    ),
    422: OpenApiResponse(
        ErrorOutputSerializer,
        description=gettext_lazy("This Idempotency-Key was used for a different request."),
    ),
}


@dataclass(frozen=True)
class Protection:
    """What the trust layer lends this module (see the module docstring).

    `encrypt(plaintext, *, context) -> token` and `decrypt(token, *, context, row) -> plaintext`
    seal and open stored bodies; `decrypt` raises if the token does not open. `reveals_noted()`
    returns what the current request has shown in clear so far, as ({object_type: [ids]},
    [field names]). `note_revealed(*, object_type, object_id, fields)` notes one record as
    shown in clear again.
    """

    encrypt: Callable[..., str]
    decrypt: Callable[..., str]
    reveals_noted: Callable[[], tuple[dict[str, list], list[str]]]
    note_revealed: Callable[..., object]


_protection: Protection | None = None


def register_protection(protection: Protection | None) -> Protection | None:
    """Install how stored responses are protected; return the protection it replaces.

    Called by the trust layer from its AppConfig.ready(). None removes the protection: requests
    with a key then fail rather than store a body in clear.
    """
    global _protection
    previous, _protection = _protection, protection
    return previous


# (user, ids, *, clear_fields) -> whether `user` may still see every record `ids` of the type,
# and, when `clear_fields` is not empty, those of its fields in clear (a check ignores names
# that are not fields of its type).
ReplayCheck = Callable[..., bool]

_replay_checks: dict[str, ReplayCheck] = {}
_subjects: ContextVar[dict[str, set] | None] = ContextVar("idempotency_subjects", default=None)


def register_replay_check(object_type: str, check: ReplayCheck | None) -> ReplayCheck | None:
    """Install the check a replay asks about records of `object_type` (an app label and model
    name in lower case, "customers.customer"); return the check it replaces. None removes it:
    stored responses showing such records are then never replayed.

    Called by the app that owns the model, from its AppConfig.ready().
    """
    previous = _replay_checks.pop(object_type, None)
    if check is not None:
        _replay_checks[object_type] = check
    return previous


def note_subject(object_type: str, object_id) -> None:
    """Note that the response being built shows record `object_id` of `object_type`, so that
    a replay of it is answered only while the caller may still see that record.

    Does nothing outside a request with an Idempotency-Key: call it wherever a view reads the
    record its answer shows.
    """
    subjects = _subjects.get()
    if subjects is not None:
        subjects.setdefault(object_type, set()).add(object_id)


@contextmanager
def _noting_subjects() -> Iterator[dict[str, set]]:
    subjects: dict[str, set] = {}
    token = _subjects.set(subjects)
    try:
        yield subjects
    finally:
        _subjects.reset(token)


def _registered_protection() -> Protection:
    if _protection is None:
        raise ImproperlyConfigured(
            "No Protection is registered for Idempotency-Key responses; the compliance app "
            "registers one in its AppConfig.ready() (is it in INSTALLED_APPS?)."
        )
    return _protection


def check_protection(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """System check: refuse to run with Idempotency-Key responses that nothing would encrypt."""
    if _protection is not None:
        return []
    return [
        checks.Error(
            "No Protection is registered for Idempotency-Key responses: stored bodies would "
            "not be encrypted, so requests with a key fail.",
            hint="Put 'compliance' in INSTALLED_APPS; its AppConfig.ready() registers it.",
            id="crm.E001",
        )
    ]


@dataclass(frozen=True)
class _Fingerprint:
    method: str
    path: str
    request_hash: str


class _KeyBusy(Exception):
    """The key is held by a request that did not finish within LOCK_WAIT_MS."""


def _canonical(data) -> object:
    if hasattr(data, "lists"):  # QueryDict (form or multipart bodies)
        return {key: values for key, values in data.lists()}
    return data


def request_hash(request) -> str:
    """SHA-256 of the parsed request body in canonical JSON (key order and spacing ignored)."""
    text = json.dumps(
        _canonical(request.data), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
        cls=JSONEncoder,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _set_lock_timeout(value: str) -> str:
    """Set lock_timeout for the rest of the transaction; return the previous value."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)", [value]
        )
        return cursor.fetchone()[0]


def _is_lock_timeout(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == _LOCK_NOT_AVAILABLE


def _claim(
    *, user, key: str, fingerprint: _Fingerprint
) -> tuple[IdempotencyRecord | None, IdempotencyRecord | None]:
    """Take `key` for this request, or find the completed request that holds it.

    Return (claimed, None) when this request now holds the key (the row is uncommitted until
    the caller's transaction ends) or (None, existing) for a key already used. Raise _KeyBusy
    when another request holds the key for longer than LOCK_WAIT_MS. Must run inside a
    transaction.
    """
    now = timezone.now()
    previous = _set_lock_timeout(f"{LOCK_WAIT_MS}ms")
    try:
        with transaction.atomic():
            # An expired record no longer binds its key; the purge task may not have run yet.
            IdempotencyRecord.objects.filter(user=user, key=key, expires_at__lte=now).delete()
            claimed = IdempotencyRecord.objects.create(
                user=user, key=key, method=fingerprint.method, path=fingerprint.path,
                request_hash=fingerprint.request_hash, expires_at=now + RETENTION,
            )
        return claimed, None
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if existing is None:  # purged between our insert and this read: let the client retry
            raise _KeyBusy from None
        return None, existing
    except OperationalError as exc:
        if _is_lock_timeout(exc):
            raise _KeyBusy from None
        raise
    finally:
        _set_lock_timeout(previous)


def _error(status_code: int, code: str, message: str, fields=None) -> Response:
    return Response(
        error_body(status_code=status_code, code=code, message=message, fields=fields),
        status=status_code,
    )


def _may_replay(user, stored: dict) -> bool:
    """Whether `user` may still see every record the stored response shows (see the module
    docstring): the subjects its view named, and what it showed in clear, in clear."""
    revealed = stored.get("revealed", {})
    revealed_fields = list(stored.get("revealed_fields", []))
    subjects = stored.get("subjects", {})
    for object_type in sorted(set(subjects) | set(revealed)):
        check = _replay_checks.get(object_type)
        if check is None:
            return False
        in_clear = set(revealed.get(object_type, []))
        masked = set(subjects.get(object_type, [])) - in_clear
        if in_clear and not check(user, sorted(in_clear), clear_fields=revealed_fields):
            return False
        if masked and not check(user, sorted(masked), clear_fields=[]):
            return False
    return True


def _replay(
    record: IdempotencyRecord, fingerprint: _Fingerprint, protection: Protection, user
) -> Response:
    if (record.method, record.path, record.request_hash) != (
        fingerprint.method, fingerprint.path, fingerprint.request_hash
    ):
        return _error(
            status.HTTP_422_UNPROCESSABLE_ENTITY, "idempotency_key_reused",
            _("This Idempotency-Key was already used for a different request. Use a new key."),
        )
    stored = json.loads(protection.decrypt(record.response, context=RESPONSE_CONTEXT, row=record))
    if not _may_replay(user, stored):
        return _error(status.HTTP_404_NOT_FOUND, "not_found", _("Not found."))
    # Showing the stored body again shows its personal data again: account for it as the
    # first response was accounted for.
    fields = stored.get("revealed_fields", [])
    for object_type, ids in stored.get("revealed", {}).items():
        for object_id in ids:
            protection.note_revealed(object_type=object_type, object_id=object_id, fields=fields)
    return Response(stored["body"], status=record.status_code, headers={REPLAYED_HEADER: "true"})


def _store(
    record: IdempotencyRecord, response: Response, protection: Protection, subjects: dict[str, set]
) -> None:
    revealed, revealed_fields = protection.reveals_noted()
    text = json.dumps(
        {"body": response.data, "revealed": revealed, "revealed_fields": revealed_fields,
         "subjects": {object_type: sorted(ids) for object_type, ids in subjects.items()}},
        cls=JSONEncoder, ensure_ascii=False,
    )
    record.status_code = response.status_code
    record.response = protection.encrypt(text, context=RESPONSE_CONTEXT)
    record.save(update_fields=["status_code", "response"])


def idempotent(handler: Callable) -> Callable:
    """Make a DRF view method honour the `Idempotency-Key` header (see the module docstring).

    Without the header the method runs as usual. With a malformed key the answer is 400 with
    a field error on "Idempotency-Key". The method runs after authentication and permission
    checks, so refusals are never stored. Raise ImproperlyConfigured for a request with a key
    when no Protection is registered.
    """

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        raw_key = request.headers.get(HEADER)
        user = getattr(request, "user", None)
        if raw_key is None or not getattr(user, "is_authenticated", False):
            return handler(view, request, *args, **kwargs)
        key = raw_key.strip()
        if not KEY_PATTERN.match(key):
            return _error(
                status.HTTP_400_BAD_REQUEST, "invalid", _("The request has invalid fields."),
                fields={HEADER: [_("Use 1 to 255 printable ASCII characters without spaces.")]},
            )
        protection = _registered_protection()
        fingerprint = _Fingerprint(
            method=request.method, path=request.path[:500], request_hash=request_hash(request)
        )
        try:
            with transaction.atomic():
                claimed, existing = _claim(user=user, key=key, fingerprint=fingerprint)
                if existing is not None:
                    return _replay(existing, fingerprint, protection, user)
                with _noting_subjects() as subjects:
                    response = handler(view, request, *args, **kwargs)
                if isinstance(response, Response) and 200 <= response.status_code < 300:
                    _store(claimed, response, protection, subjects)
                else:
                    # Nothing was written (services roll back on error): free the key.
                    transaction.set_rollback(True)
                return response
        except _KeyBusy:
            return _error(
                status.HTTP_409_CONFLICT, "idempotency_key_in_use",
                _("A request with this Idempotency-Key is still being processed. Retry shortly."),
            )

    return wrapper


def idempotency_records_purge(*, now: datetime.datetime | None = None, batch_size: int = 5000) -> int:
    """Delete expired idempotency records in batches; return how many were deleted."""
    cutoff = now or timezone.now()
    deleted = 0
    while True:
        ids = list(
            IdempotencyRecord.objects.filter(expires_at__lte=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return deleted
        count, _by_model = IdempotencyRecord.objects.filter(pk__in=ids).delete()
        deleted += count


__all__ = [
    "HEADER",
    "IDEMPOTENCY_KEY_PARAMETER",
    "IDEMPOTENCY_RESPONSES",
    "REPLAYED_HEADER",
    "ErrorOutputSerializer",
    "Protection",
    "ReplayCheck",
    "check_protection",
    "idempotency_records_purge",
    "idempotent",
    "note_subject",
    "register_protection",
    "register_replay_check",
    "request_hash",
]
