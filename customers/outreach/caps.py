"""Contact caps are configuration: saved through `contact_cap_save`, which the admin calls."""

from __future__ import annotations

from django.db import transaction

from compliance.audit import audit_record
from customers import permissions
from customers.models import ContactCap

OBJECT_TYPE_CONTACT_CAP = "customers.contactcap"
CAP_FIELDS = ["purpose", "window_days", "maximum", "is_active"]
# What migration 0010 installs: (purpose, window in days, maximum contacts).
DEFAULT_CAPS = (("marketing", 30, 2), ("marketing", 7, 1), ("surveys", 30, 1), ("events", 30, 2))


@transaction.atomic
def contact_cap_save(*, actor, purpose: str, window_days: int, maximum: int, is_active: bool = True,
                     cap: ContactCap | None = None) -> ContactCap:
    """Add a cap (`cap` None) or change `cap`: at most `maximum` contacts for `purpose` in
    any `window_days` days. Writes a `config.changed` audit event naming the changed fields;
    a save that changes nothing writes nothing.

    Raise PermissionDenied unless `actor` may configure contact caps; ValidationError (by
    field) for a window outside 1-366 days, a maximum above 1000, or a second cap on the same
    purpose and window.
    """
    permissions.check(actor, permissions.SettingsAction.CONTACT_CAPS)
    values = {"purpose": purpose, "window_days": window_days, "maximum": maximum, "is_active": is_active}
    adding = cap is None or cap.pk is None
    if adding:
        target = ContactCap(**values)
        changed = list(CAP_FIELDS)
    else:
        target = ContactCap.objects.select_for_update().get(pk=cap.pk)
        changed = [name for name in CAP_FIELDS if getattr(target, name) != values[name]]
        if not changed:
            return target
        for name in changed:
            setattr(target, name, values[name])
    target.full_clean()
    target.save()
    audit_record(actor=actor, action="config.changed", object_type=OBJECT_TYPE_CONTACT_CAP,
                 object_id=target.pk, fields=changed, extra={"change": "added" if adding else "changed"})
    return target


def default_caps_restore(*, using: str = "default", model=None) -> int:
    """Install DEFAULT_CAPS when there is no cap at all (a flushed database); return how many
    were added. Caps are switched off with `is_active`, never deleted, so an empty table is
    never a choice. `model` is ContactCap as the database has it (post_migrate's apps)."""
    model = model or ContactCap
    if model.objects.using(using).exists():
        return 0
    model.objects.using(using).bulk_create([
        model(purpose=purpose, window_days=window_days, maximum=maximum)
        for purpose, window_days, maximum in DEFAULT_CAPS
    ])
    return len(DEFAULT_CAPS)

