"""Erasure of a customer at their request: what may go is removed or anonymised, what the law
requires is kept, and the answer says which of each and why.

Always erased: needs, relationships (the other party keeps their own record), the free text of
follow-ups, contact holds and segment overrides, the places of appointments (future ones are
cancelled), the summaries of interactions that are no record the bank must keep (service,
sales, follow-up and notification contacts), and every outreach consent (marketing, surveys,
events are withdrawn on every channel and the do-not-contact flag is set, so nothing more is
sent).

Kept: records of complaints, advice and transactions (the regulators' record-keeping rules),
holdings (the contract, while held and in core banking's records), the consent history (proof
of what the customer agreed to and withdrew), the contact log (who was contacted when, with no
free text about the person) and the audit chain.

Identity and KYC data (names, ID number, date of birth, address) are kept for
`settings.KYC_RETENTION_YEARS` after the relationship ends (anti-money-laundering record
keeping); contact and profile details not needed for that (phone, e-mail, income, occupation,
employer) go once the relationship has ended. A customer who still holds products keeps what
servicing them needs. Past the retention period the record is anonymised entirely.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.audit import audit_record
from customers import permissions
from customers.models import (
    Appointment,
    ContactChannel,
    ContactHold,
    ContactPurpose,
    Customer,
    CustomerStatus,
    FollowUp,
    FollowUpStatus,
    HoldingStatus,
    Interaction,
    InteractionType,
    Need,
    Relationship,
    SegmentOverride,
)
from customers.outreach.consent import OBJECTION_PURPOSES, erasure_consents_withdraw
from customers.outreach.pressure import lock_customer
from customers.services import OBJECT_TYPE, refresh_search_name
from customers.services.common import history_record

KEPT_INTERACTIONS = (InteractionType.COMPLAINT, InteractionType.ADVICE, InteractionType.TRANSACTION)
OUTREACH_PURPOSES = (*OBJECTION_PURPOSES, ContactPurpose.SURVEYS)


@dataclass(frozen=True)
class ErasureLine:
    what: str
    outcome: str  # "erased", "kept"
    count: int
    why: str = ""


def _ended_on(customer: Customer) -> datetime.date | None:
    """The day the relationship ended (the last sign of it), or None while it lasts."""
    if (
        customer.status != CustomerStatus.CLOSED
        or customer.holdings.filter(status=HoldingStatus.ACTIVE).exists()
    ):
        return None
    last_holding = customer.holdings.aggregate(last=Max("updated_at"))["last"]
    moments = [moment for moment in (last_holding, customer.last_contact_at, customer.updated_at) if moment]
    return max(moments).date() if moments else customer.since


def _retention_until(ended_on: datetime.date) -> datetime.date:
    years = settings.KYC_RETENTION_YEARS
    try:
        return ended_on.replace(year=ended_on.year + years)
    except ValueError:  # 29 February
        return ended_on.replace(year=ended_on.year + years, day=28)


def _erase_free_text(customer: Customer, reference: str) -> list[ErasureLine]:
    marker = _("Erased at the customer's request (%(reference)s).") % {"reference": reference}
    lines = [
        ErasureLine(_("Needs"), "erased", Need.objects.filter(customer=customer).delete()[0]),
        ErasureLine(
            _("Relationships"),
            "erased",
            (
                Relationship.objects.filter(from_customer=customer).delete()[0]
                + Relationship.objects.filter(to_customer=customer).delete()[0]
            ),
        ),
    ]
    follow_ups = list(FollowUp.objects.filter(customer=customer))
    for follow_up in follow_ups:
        follow_up.notes = follow_up.next_step = follow_up.reschedule_reason = None
        if follow_up.is_open:
            follow_up.status = FollowUpStatus.CANCELLED
        follow_up.save(update_fields=["notes", "next_step", "reschedule_reason", "status"])
    lines.append(ErasureLine(_("Notes of follow-ups"), "erased", len(follow_ups)))
    appointments = Appointment.objects.filter(customer=customer)
    cancelled = appointments.filter(starts_at__gt=timezone.now(), cancelled_at__isnull=True).update(
        cancelled_at=timezone.now()
    )
    places = appointments.update(place=str(marker)[:200])
    lines.append(
        ErasureLine(
            _("Places of appointments (%(cancelled)d future ones cancelled)") % {"cancelled": cancelled},
            "erased",
            places,
        )
    )
    holds = list(ContactHold.objects.filter(customer=customer))
    for hold in holds:
        hold.reason = marker
        hold.lift_reason = marker if hold.lift_reason else None
        hold.save(update_fields=["reason", "lift_reason"])
    lines.append(ErasureLine(_("Reasons of contact holds"), "erased", len(holds)))
    lines.append(
        ErasureLine(
            _("Reasons of segment overrides"),
            "erased",
            SegmentOverride.objects.filter(customer=customer).update(reason=str(marker)[:300]),
        )
    )
    erased = 0
    for interaction in Interaction.objects.filter(customer=customer).exclude(
        interaction_type__in=KEPT_INTERACTIONS
    ):
        interaction.summary = marker
        interaction.save(update_fields=["summary"])
        erased += 1
    lines.append(
        ErasureLine(_("Summaries of service, sales, follow-up and notification contacts"), "erased", erased)
    )
    kept = Interaction.objects.filter(customer=customer, interaction_type__in=KEPT_INTERACTIONS).count()
    lines.append(
        ErasureLine(
            _("Records of complaints, advice and transactions"),
            "kept",
            kept,
            _("the regulators' record-keeping rules"),
        )
    )
    return lines


def _erase_identity(customer: Customer, *, everything: bool) -> int:
    """Clear contact and profile details; with `everything`, the identity too. Return how many
    fields were cleared."""
    customer_fields = ["phone", "email"] + (["id_number", "address"] if everything else [])
    for name in customer_fields:
        setattr(customer, name, None)
    if everything:
        customer.display_name = _("Erased customer %(number)s") % {"number": customer.number}
        customer_fields.append("display_name")
    profile = getattr(customer, "individual", None) if customer.kind == "individual" else None
    profile_fields = []
    if profile is not None:
        profile.annual_income, profile.occupation, profile.employer = None, "", ""
        profile_fields = ["annual_income", "occupation", "employer"]
        if everything:
            profile.date_of_birth = None
            profile.given_name, profile.family_name, profile.local_name = _("Erased"), _("Erased"), ""
            profile_fields += ["date_of_birth", "given_name", "family_name", "local_name"]
        profile.save(update_fields=profile_fields)
    refresh_search_name(customer, profile)
    customer.save(update_fields=[*customer_fields, "search_name"])
    return len(customer_fields) + len(profile_fields)


@transaction.atomic
def erase_customer(*, actor, subject_id: int, reference: str) -> str:
    """Carry out an erasure request (see the module); return what was erased and what was kept,
    in words, for the answer to the requester. Raise PermissionDenied unless `actor` may carry
    out privacy requests."""
    customer = Customer.objects.select_related("individual", "corporate").get(pk=subject_id)
    permissions.check(actor, permissions.CustomerAction.APPLY_PRIVACY_REQUEST, customer)
    lock_customer(customer.pk)
    today = timezone.localdate()
    lines = _erase_free_text(customer, reference)
    withdrawn = erasure_consents_withdraw(
        actor=actor,
        customer=customer,
        reference=reference,
        purposes=OUTREACH_PURPOSES,
        channels=ContactChannel.values,
    )
    customer.do_not_contact = True
    customer.save(update_fields=["do_not_contact"])
    lines.append(
        ErasureLine(
            _("Consents to marketing, surveys and events (withdrawn; no further contact)"),
            "erased",
            withdrawn,
        )
    )
    ended_on = _ended_on(customer)
    if ended_on is None:
        lines.append(
            ErasureLine(
                _("Identity, contact and profile details"),
                "kept",
                0,
                _("the customer still holds products with the bank"),
            )
        )
    else:
        until = _retention_until(ended_on)
        everything = until <= today
        count = _erase_identity(customer, everything=everything)
        lines.append(
            ErasureLine(
                _("Contact and profile details (phone, e-mail, income, occupation, employer)"),
                "erased",
                count,
            )
        )
        if everything:
            lines.append(
                ErasureLine(
                    _("Identity and KYC details"),
                    "erased",
                    1,
                    _("the retention period ended on %(date)s") % {"date": until.isoformat()},
                )
            )
        else:
            lines.append(
                ErasureLine(
                    _("Identity and KYC details"),
                    "kept",
                    1,
                    _("anti-money-laundering records are kept until %(date)s") % {"date": until.isoformat()},
                )
            )
    lines += [
        ErasureLine(_("Holdings"), "kept", customer.holdings.count(), _("records of the contract")),
        ErasureLine(
            _("Consent history and contact log"),
            "kept",
            0,
            _("proof of what the customer agreed to and of every contact"),
        ),
    ]
    history_record(customer_id=customer.pk, kind="erased", actor=actor, data={"reference": reference})
    audit_record(
        actor=actor,
        action="privacy.erasure_applied",
        object_type=OBJECT_TYPE,
        object_id=customer.pk,
        extra={
            "reference": reference,
            "erased": sum(line.count for line in lines if line.outcome == "erased"),
            "identity_kept": ended_on is None or _retention_until(ended_on) > today,
        },
    )
    return "\n".join(_line_text(line) for line in lines)


def _line_text(line: ErasureLine) -> str:
    if line.outcome == "erased":
        return _("Erased: %(what)s (%(count)d).") % {"what": line.what, "count": line.count}
    return _("Kept: %(what)s, because of %(why)s.") % {"what": line.what, "why": line.why}
