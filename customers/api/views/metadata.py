"""What OPTIONS answers on the customers API.

DRF's default describes a route's writes through the view's one `serializer_class` and, for
PUT, by fetching the object with the view's lookup. The customer viewset has a separate
input serializer per action and routes without a customer id, so that answered 500. Here each
route says which input serializer each of its writes takes (`WRITE_INPUTS`), and a write
appears only when the policy would let the caller make it. A route under a customer fetches
the customer first, through the same restricted read as every other method, so a customer the
caller may not see answers 404 exactly as a missing one does; nothing else is read.
"""

from __future__ import annotations

from dataclasses import dataclass

from rest_framework.metadata import SimpleMetadata

from customers import permissions
from customers.api import serializers as api
from customers.models import Customer
from customers.permissions import CustomerAction


@dataclass(frozen=True)
class WriteInput:
    """A write action's input serializer and what the caller must be allowed to do for it
    (asked of the route's customer when it has one, otherwise of customers in general)."""

    serializer: type
    needs: tuple[str, ...] = ()
    needs_kind: bool = False  # the serializer validates against the customer's kind


# By the viewset's action name (see CustomerViewSet and the nested mixins).
WRITE_INPUTS = {
    "create": WriteInput(api.CustomerCreateInputSerializer, (CustomerAction.ADD,)),
    "search": WriteInput(api.CustomerSearchInputSerializer),
    "partial_update": WriteInput(api.CustomerUpdateInputSerializer, (CustomerAction.CHANGE,), True),
    "by_reference": WriteInput(api.CustomerUpsertInputSerializer,
                               (CustomerAction.ADD, CustomerAction.CHANGE_REFERENCE)),
    "holdings_create": WriteInput(api.HoldingInputSerializer, (CustomerAction.CHANGE_HOLDINGS,), True),
    "holding_by_reference": WriteInput(api.HoldingUpsertInputSerializer,
                                       (CustomerAction.CHANGE_HOLDINGS,), True),
    "needs_create": WriteInput(api.NeedInputSerializer, (CustomerAction.RECORD_NEED,), True),
    "interactions_create": WriteInput(api.InteractionInputSerializer, (CustomerAction.LOG_INTERACTION,)),
    "consents_create": WriteInput(api.ConsentInputSerializer, (CustomerAction.MANAGE_CONSENT,)),
    "holds_create": WriteInput(api.ContactHoldInputSerializer, (CustomerAction.PLACE_HOLD,)),
    "hold_lift": WriteInput(api.ContactHoldLiftInputSerializer, (CustomerAction.PLACE_HOLD,)),
}
WRITE_METHODS = ("post", "put", "patch")


class CustomerMetadata(SimpleMetadata):
    """OPTIONS for the customer viewset: the route's name, formats and the writes the caller
    may make there, each with the fields its input takes."""

    def determine_metadata(self, request, view) -> dict:
        customer = view.get_object() if "pk" in view.kwargs else None  # Http404 if not visible
        metadata = {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
        actions = self._write_actions(request.user, view, customer)
        if actions:
            metadata["actions"] = actions
        return metadata

    def _write_actions(self, user, view, customer: Customer | None) -> dict:
        actions = {}
        for method in WRITE_METHODS:
            write = WRITE_INPUTS.get((getattr(view, "action_map", None) or {}).get(method, ""))
            if write is None:
                continue
            if not all(permissions.allows(user, action, customer) for action in write.needs):
                continue
            context = {**view.get_serializer_context()}
            if write.needs_kind and customer is not None:
                context["kind"] = customer.kind
            actions[method.upper()] = self.get_serializer_info(write.serializer(context=context))
        return actions
