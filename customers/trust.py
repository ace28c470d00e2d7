"""The customers app's declarations to the trust layer: which models hold personal data,
their sensitive fields with mask kinds, and the policy that decides for each.

`Customer` answers through `customers.permissions.CustomerPolicy`. The records that hang off
a customer and carry personal data of their own (account numbers, need notes, interaction
summaries, override reasons) answer through `CustomerChildPolicy`: a user sees such a record
when they see its customer, and sees its sensitive fields in clear when they see every one of
the customer's sensitive fields in clear, because free text about a customer may mention any
of them; a field that is a part of one customer field (a holding's balance, a part of the
assets under management) is clear exactly when that field is. Every action on a child
record is the customer's action on its customer.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from compliance import access
from compliance.normalise import display_phone


class CustomerChildPolicy:
    """The policy of a model with a `customer` foreign key: the customer's policy decides."""

    def __init__(self, model: type[models.Model], *, customer_field: str = "customer",
                 follows: dict[str, str] | None = None):
        self.model = model
        self.customer_field = customer_field
        # Fields that are a part of one customer field and are clear exactly when it is (a
        # balance is a part of the assets under management); the others follow them all.
        self.follows = follows or {}

    @staticmethod
    def _customers():
        from customers.models import Customer

        return access.policy_for(Customer), Customer

    def restrict(self, queryset: QuerySet, user, action: str = access.VIEW) -> QuerySet:
        policy, customer_model = self._customers()
        customers = policy.restrict(customer_model.objects.all(), user, action)
        return queryset.filter(**{f"{self.customer_field}__in": customers.values("pk")})

    def allows(self, user, action: str, obj=None) -> bool:
        policy, _customer_model = self._customers()
        return policy.allows(user, action, None if obj is None else getattr(obj, self.customer_field))

    def refusal(self, action: str) -> str:
        policy, _customer_model = self._customers()
        return policy.refusal(action)

    def clear_fields(self, user, objects: Iterable[models.Model]) -> dict[int, frozenset[str]]:
        objects = list(objects)
        if not objects:
            return {}
        policy, customer_model = self._customers()
        customers = {}
        for obj in objects:
            customer = getattr(obj, self.customer_field)
            customers.setdefault(customer.pk, customer)
        clear = policy.clear_fields(user, customers.values())
        every_customer_field = access.sensitive_fields(customer_model)
        own = frozenset(access.sensitive_fields(self.model))
        sees_all = {
            pk: {name for name, spec in every_customer_field.items() if spec.applies_to(customer)}
            <= clear.get(pk, frozenset())
            for pk, customer in customers.items()
        }
        result = {}
        for obj in objects:
            customer_id = getattr(obj, f"{self.customer_field}_id")
            customer_clear = clear.get(customer_id, frozenset())
            result[obj.pk] = frozenset(
                name for name in own
                if (self.follows[name] in customer_clear if name in self.follows else sees_all[customer_id])
            )
        return result


def is_individual(customer) -> bool:
    return customer.kind == "individual"


def is_corporate(customer) -> bool:
    return customer.kind == "corporate"


def is_card(holding) -> bool:
    """Whether the holding's account number is a card number (PAN), never shown whole."""
    from customers.models import ProductType

    return holding.product_type == ProductType.CREDIT_CARD


def register_protected_models() -> None:
    """Register every customers model that holds personal data (from AppConfig.ready())."""
    from customers.models import (
        Appointment,
        ConsentEvent,
        ContactHold,
        Customer,
        FollowUp,
        Holding,
        Interaction,
        Need,
        OutboundMessage,
        SegmentOverride,
        Suggestion,
    )
    from customers.permissions import CustomerPolicy

    access.register(
        Customer,
        policy=CustomerPolicy(),
        fields=[
            access.SensitiveField("id_number", "id_number", "last4", _("ID / registration number"),
                                  hint="id_number_mask"),
            access.SensitiveField("phone", "phone", "phone", _("phone"), hint="phone_mask",
                                  display=display_phone),
            access.SensitiveField("email", "email", "email", _("e-mail"), hint="email_mask"),
            access.SensitiveField("address", "address", "text", _("address")),
            access.SensitiveField("date_of_birth", "individual.date_of_birth", "date",
                                  _("date of birth"), applies=is_individual),
            access.SensitiveField("annual_income", "individual.annual_income", "amount",
                                  _("annual income"), applies=is_individual),
            access.SensitiveField("annual_revenue", "corporate.annual_revenue", "amount",
                                  _("annual revenue"), applies=is_corporate),
            access.SensitiveField("aum", "aum", "amount", _("assets under management")),
        ],
    )
    access.register(
        Holding,
        policy=CustomerChildPolicy(Holding, follows={"balance": "aum"}),
        fields=[
            access.SensitiveField("account_number", "account_number", "last4", _("account number"),
                                  hint="account_number_mask", truncated=is_card),
            access.SensitiveField("balance", "balance", "amount", _("balance")),
        ],
    )
    access.register(
        Need,
        policy=CustomerChildPolicy(Need),
        fields=[access.SensitiveField("note", "note", "text", _("note"))],
    )
    access.register(
        Interaction,
        policy=CustomerChildPolicy(Interaction),
        fields=[access.SensitiveField("summary", "summary", "text", _("summary"))],
    )
    access.register(
        SegmentOverride,
        policy=CustomerChildPolicy(SegmentOverride),
        fields=[access.SensitiveField("reason", "reason", "text", _("reason"))],
    )
    # What the RM wrote after a visit or call is free text about the customer.
    access.register(
        FollowUp,
        policy=CustomerChildPolicy(FollowUp),
        fields=[
            access.SensitiveField("notes", "notes", "text", _("notes")),
            access.SensitiveField("next_step", "next_step", "text", _("next step")),
            access.SensitiveField("reschedule_reason", "reschedule_reason", "text", _("reschedule reason")),
        ],
    )
    access.register(Appointment, policy=CustomerChildPolicy(Appointment), fields=[])
    # A consent's evidence (a form's number, a recording's reference) and a hold's reasons
    # may name the customer or their circumstances.
    access.register(
        ConsentEvent,
        policy=CustomerChildPolicy(ConsentEvent),
        fields=[access.SensitiveField("evidence_reference", "evidence_reference", "text",
                                      _("evidence reference"))],
    )
    access.register(
        ContactHold,
        policy=CustomerChildPolicy(ContactHold),
        fields=[access.SensitiveField("reason", "reason", "text", _("reason")),
                access.SensitiveField("lift_reason", "lift_reason", "text", _("reason for lifting"))],
    )
    # A recorded campaign message names the customer (its address is kept masked only).
    access.register(
        OutboundMessage,
        policy=CustomerChildPolicy(OutboundMessage),
        fields=[access.SensitiveField("subject", "subject", "text", _("subject")),
                access.SensitiveField("body", "body", "text", _("message"))],
    )
    # The RM's note on accepting or dismissing an offer is free text about the customer.
    access.register(
        Suggestion,
        policy=CustomerChildPolicy(Suggestion),
        fields=[access.SensitiveField("decision_note", "decision_note", "text", _("decision note"))],
    )


def _sees_records(model, user, ids, *, clear_fields=()) -> bool:
    return access.sees_records(user, model, ids, clear_fields=clear_fields)


def register_replay_checks() -> None:
    """Tell the API's Idempotency-Key replays who may still see the customers app's records
    (from AppConfig.ready()): the one policy answers, so a replay after a reassignment, an
    ended delegation or a withdrawn import right answers 404 as any unseen record does."""
    from crm.api import idempotency
    from customers.intake.selectors import import_jobs_visible
    from customers.models import (
        ConsentEvent,
        ContactHold,
        Customer,
        Holding,
        ImportJob,
        Interaction,
        Need,
        SegmentOverride,
        Suggestion,
    )

    for model in (Customer, Holding, Interaction, Need, SegmentOverride, ConsentEvent, ContactHold,
                  Suggestion):
        idempotency.register_replay_check(model._meta.label_lower, functools.partial(_sees_records, model))
    idempotency.register_replay_check(ImportJob._meta.label_lower, import_jobs_visible)
    idempotency.register_replay_check("customers.campaign", _sees_campaigns)


def _sees_campaigns(user, ids, *, clear_fields=()) -> bool:
    from customers.models import Campaign
    from customers.permissions import campaigns_restrict

    return campaigns_restrict(Campaign.objects.filter(pk__in=ids), user).count() == len(set(ids))


def _customer_numbers(object_ids) -> dict[str, str]:
    from customers.models import Customer

    ids = [int(object_id) for object_id in object_ids if str(object_id).isdigit()]
    return {str(pk): number for pk, number in Customer.objects.filter(pk__in=ids).values_list("pk", "number")}


def _customer_id(number: str) -> str | None:
    from customers.models import Customer

    found = Customer.objects.filter(number=number.strip().upper()).values_list("pk", flat=True).first()
    return None if found is None else str(found)


def _campaign_references(object_ids) -> dict[str, str]:
    # A campaign is named by its number ("C-12"): its name is free text a person wrote.
    from customers.models import Campaign

    ids = [int(object_id) for object_id in object_ids if str(object_id).isdigit()]
    return {str(pk): f"C-{pk}" for pk in Campaign.objects.filter(pk__in=ids).values_list("pk", flat=True)}


def _campaign_id(reference: str) -> str | None:
    text = reference.strip().upper().removeprefix("C-")
    return text if text.isdigit() else None


def register_audit_labels() -> None:
    """Tell the audit pages how customers, their fields and the customers app's own actions
    read to people (from AppConfig.ready()): customer numbers, never internal ids."""
    from compliance import labels
    from customers.models import (
        CorporateProfile,
        Customer,
        Holding,
        IndividualProfile,
        Interaction,
        Need,
        SegmentOverride,
    )

    labels.register_object(labels.ObjectNaming(
        object_type="customers.customer", label=_("Customer"), references=_customer_numbers,
        find=_customer_id,
    ))
    labels.register_object(labels.ObjectNaming(
        object_type="customers.campaign", label=_("Campaign"), references=_campaign_references,
        find=_campaign_id,
    ))
    # Later models win a shared name (a customer's `status` over a holding's).
    field_labels = {}
    for model in (SegmentOverride, Interaction, Need, Holding, CorporateProfile, IndividualProfile, Customer):
        field_labels.update({field.name: field.verbose_name for field in model._meta.fields})
    for model in (SegmentOverride, Interaction, Need, Holding, Customer):
        field_labels.update({name: spec.label for name, spec in access.sensitive_fields(model).items()})
    # The export's columns that are not field names.
    field_labels.update({"evidence_reference": _("evidence reference"),
                         "lift_reason": _("reason for lifting"),
                         "decision_note": _("decision note")})
    field_labels.update({"name": _("Name"), "branch": _("Branch"), "last_contact": _("Last contact")})
    # The object permissions a book grant or revocation lists.
    field_labels.update({"view_customer": _("See the customer"),
                         "view_customer_pii": _("See the customer's personal data in clear")})
    labels.register_field_labels(field_labels)
    labels.register_action_labels({
        "customer.segment_override_ended": _("Customer segment override ended"),
        "holding.created": _("Holding added"),
        "holding.updated": _("Holding updated"),
        "import.created": _("Import uploaded"),
        "import.batch_applied": _("Import batch applied"),
        "consent.granted": _("Consent granted"),
        "consent.withdrawn": _("Consent withdrawn"),
        "contact_hold.lifted": _("Contact hold lifted"),
        "contact_hold.placed": _("Contact hold placed"),
        "interaction.created": _("Interaction logged"),
        "need.created": _("Need recorded"),
        "follow_up.completed": _("Follow-up completed"),
        "follow_up.rescheduled": _("Follow-up rescheduled"),
        "appointment.booked": _("Appointment booked"),
        "appointment.cancelled": _("Appointment cancelled"),
        "contact_plan.saved": _("Contact plan saved"),
        "trigger_rule.saved": _("Trigger rule saved"),
        "suggestions.refreshed": _("Offer suggestions refreshed"),
        "suggestions.generated": _("Offer suggestions generated"),
        "suggestion.accepted": _("Offer accepted"),
        "suggestion.dismissed": _("Offer dismissed"),
        "offer_product.saved": _("Offer product saved"),
        "offer_rule.saved": _("Offer rule saved"),
        "segment_overrides.expired": _("Segment overrides expired"),
        "segments.recomputed": _("Segments recomputed"),
        "campaign.created": _("Campaign prepared"),
        "campaign.changed": _("Campaign changed"),
        "campaign.submitted": _("Campaign submitted"),
        "campaign.approved": _("Campaign approved"),
        "campaign.scheduled": _("Campaign scheduled"),
        "campaign.needs_approval": _("Campaign sent back for approval"),
        "campaign.started": _("Campaign started"),
        "campaign.cancelled": _("Campaign cancelled"),
        "campaign.responded": _("Campaign response recorded"),
        "campaign.converted": _("Campaign conversion recorded"),
    })
