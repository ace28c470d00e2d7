"""How the audit trail's codes read to people: actions, field names and objects.

An audit event stores codes (`pii.revealed`, `annual_income`, `customers.customer` and an
internal id) because they are stable; a compliance officer reads translated labels and the
references staff use (a customer number). The trust layer knows no domain model, so the
domain apps register how their objects, fields and actions are labelled here, from
`AppConfig.ready()`, as they register their protected fields with `compliance.access`.
A code nobody registered is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from compliance.models import AuditAction


@dataclass(frozen=True)
class ObjectNaming:
    """How people refer to the objects of one audit `object_type`.

    `references` maps a batch of object ids (as the events store them, text) to what people
    call those objects (one query for the batch; ids it does not know are left out). `find`
    maps such a reference back to the object id, or None when no object has it.
    """

    object_type: str
    label: str
    references: Callable[[Collection[str]], Mapping[str, str]]
    find: Callable[[str], str | None]


_objects: dict[str, ObjectNaming] = {}
_fields: dict[str, str] = {}
_actions: dict[str, str] = {}


def register_object(naming: ObjectNaming) -> None:
    """Declare how the objects of `naming.object_type` are named (AppConfig.ready())."""
    _objects[naming.object_type] = naming


def register_field_labels(labels: Mapping[str, str]) -> None:
    """Add the (translatable) labels of field names that audit events list."""
    _fields.update(labels)


def register_action_labels(labels: Mapping[str, str]) -> None:
    """Add the (translatable) labels of actions an app records beyond AuditAction."""
    _actions.update(labels)


def action_label(action: str) -> str:
    """The action as people read it: its label in the current language, else the code."""
    if action in _actions:
        return str(_actions[action])
    try:
        return str(AuditAction(action).label)
    except ValueError:
        return action


def field_label(name: str) -> str:
    """A field name as people read it: its label in the current language, else the name."""
    return str(_fields[name]) if name in _fields else name


def field_labels(names: Iterable[str]) -> list[str]:
    return [field_label(name) for name in names]


def object_type_label(object_type: str) -> str:
    naming = _objects.get(object_type)
    return str(naming.label) if naming else object_type


def references(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """What people call each (object_type, object_id): one lookup per registered type."""
    wanted: dict[str, set[str]] = {}
    for object_type, object_id in pairs:
        if object_type in _objects and object_id:
            wanted.setdefault(object_type, set()).add(str(object_id))
    found: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        for object_id, reference in _objects[object_type].references(ids).items():
            found[(object_type, str(object_id))] = reference
    return found


def find_object(object_type: str, reference: str) -> str | None:
    """The id of the `object_type` object people call `reference`, or None."""
    naming = _objects.get(object_type)
    return naming.find(reference) if naming else None
