"""Adding a customer by hand (a walk-in at the counter): the duplicate check, then the create.

`customer_onboard` looks for customers that may be the same party before it saves anything;
when there are some, the caller shows them and may call again with a reason to create the
customer anyway, which the audit event of the creation records with the candidates' ids.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from crm.models import Branch
from customers import permissions, services
from customers.intake.duplicates import DuplicateCandidate, duplicate_candidates, duplicates_elsewhere
from customers.models import Customer

REASON_MIN_LENGTH = 10
# Entered values the duplicate check reads (identifiers, date of birth, names).
PROBE_KEYS = ("id_number", "phone", "email", "display_name")
PROFILE_PROBE_KEYS = ("date_of_birth", "given_name", "family_name", "local_name", "legal_name")


class PossibleDuplicates(Exception):
    """The entry may be the same party as existing customers; nothing was saved.

    `candidates` are those the actor may see (DuplicateCandidate, best first); `elsewhere`
    says whether customers the actor may not see match too (never who or where).
    """

    def __init__(self, candidates: list[DuplicateCandidate], *, elsewhere: bool):
        super().__init__("possible duplicates")
        self.candidates = candidates
        self.elsewhere = elsewhere


def _probe_values(kind: str, fields: dict, profile: dict) -> dict:
    values = {"kind": kind}
    values.update({key: fields[key] for key in PROBE_KEYS if fields.get(key)})
    values.update({key: profile[key] for key in PROFILE_PROBE_KEYS if profile.get(key)})
    return values


def customer_onboard(*, actor, kind: str, home_branch: Branch, profile: dict, segment: str | None = None,
                     duplicate_reason: str = "", **fields) -> Customer:
    """Create a customer as `services.customer_create` does, after checking for duplicates.

    Raise PermissionDenied if `actor` may not add customers at all (before anything is
    looked up); PossibleDuplicates if customers match (same ID number, phone or e-mail, or a
    similar name and the same date of birth) and no `duplicate_reason` is given;
    ValidationError (by field) for bad input or a reason shorter than REASON_MIN_LENGTH.
    Nothing is saved unless the customer is created (in customer_create's own transaction:
    the check reads only, so it holds no lock while the clerk decides).
    """
    permissions.check(actor, permissions.CustomerAction.ADD)
    if fields.get("external_reference"):
        # As customer_create refuses it, but before anything is looked up.
        permissions.check(actor, permissions.CustomerAction.CHANGE_REFERENCE)
    values = _probe_values(kind, fields, profile)
    candidates = duplicate_candidates(actor=actor, values=values)
    hidden = duplicates_elsewhere(actor=actor, values=values,
                                  seen={candidate.customer.pk for candidate in candidates})
    confirmed = None
    if candidates or hidden:
        reason = (duplicate_reason or "").strip()
        if not reason:
            raise PossibleDuplicates(candidates, elsewhere=bool(hidden))
        if len(reason) < REASON_MIN_LENGTH:
            raise ValidationError({"duplicate_reason": _(
                "Say in at least %(count)d characters why this is not the same customer."
            ) % {"count": REASON_MIN_LENGTH}})
        confirmed = services.DuplicatesConfirmed(
            reason=reason, candidate_ids=tuple([candidate.customer.pk for candidate in candidates] + hidden),
        )
    return services.customer_create(
        actor=actor, kind=kind, home_branch=home_branch, profile=profile, segment=segment,
        duplicates_confirmed=confirmed, **fields,
    )
