"""What each domain app tells the privacy-request mechanism, from its AppConfig.ready().

Compliance imports no domain app. An app that holds data about people registers:

- a **subject type** (`SubjectType`): how a compliance officer names a subject (a customer
  number), how pages show one without personal data, and who may be named at all;
- its **data sources** (`DataSource`): each returns every row the app holds about a subject,
  in clear, for access and portability exports;
- **handlers** (`RequestHandler`) for what a kind of request makes the app do (an objection to
  direct marketing withdraws every marketing consent).

The export of a subject gathers every registered source of its type, so a new app's data is in
the next export without a change here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class SubjectType:
    name: str  # "customers.customer"
    label: str
    find: Callable[[str], int | None]  # a reference typed by staff -> the subject's id, or None
    describe: Callable[[int], str]  # how pages name the subject (never personal data in clear)


@dataclass(frozen=True)
class DataSource:
    name: str  # "customers.holdings": also the file name in the export
    label: str
    subject_type: str
    collect: Callable[[int], list[dict]]  # every row about the subject, JSON-serialisable, in clear


@dataclass(frozen=True)
class RequestHandler:
    kind: str  # a RequestKind
    subject_type: str
    apply: Callable[..., str]  # apply(actor=, subject_id=, reference=) -> what was done, in words


_SUBJECT_TYPES: dict[str, SubjectType] = {}
_SOURCES: dict[str, DataSource] = {}
_HANDLERS: dict[tuple[str, str], RequestHandler] = {}


def register_subject_type(subject_type: SubjectType) -> None:
    existing = _SUBJECT_TYPES.get(subject_type.name)
    if existing is not None and existing != subject_type:
        raise ImproperlyConfigured(f"The subject type {subject_type.name!r} is already registered.")
    _SUBJECT_TYPES[subject_type.name] = subject_type


def register_data_source(source: DataSource) -> None:
    existing = _SOURCES.get(source.name)
    if existing is not None and existing != source:
        raise ImproperlyConfigured(f"The data source {source.name!r} is already registered.")
    _SOURCES[source.name] = source


def register_request_handler(handler: RequestHandler) -> None:
    key = (handler.kind, handler.subject_type)
    existing = _HANDLERS.get(key)
    if existing is not None and existing != handler:
        raise ImproperlyConfigured(
            f"A handler for {handler.kind!r} on {handler.subject_type!r} is already registered."
        )
    _HANDLERS[key] = handler


def unregister_data_source(name: str) -> None:
    _SOURCES.pop(name, None)


def subject_type(name: str) -> SubjectType:
    try:
        return _SUBJECT_TYPES[name]
    except KeyError:
        raise ImproperlyConfigured(f"No subject type {name!r} is registered.") from None


def subject_types() -> list[SubjectType]:
    return sorted(_SUBJECT_TYPES.values(), key=lambda item: item.name)


def data_sources(subject_type_name: str) -> list[DataSource]:
    return sorted(
        (source for source in _SOURCES.values() if source.subject_type == subject_type_name),
        key=lambda item: item.name,
    )


def request_handler(kind: str, subject_type_name: str) -> RequestHandler | None:
    return _HANDLERS.get((kind, subject_type_name))
