"""The engagement panels on the customer's 360° page: events (registrations, invitations,
check-in codes) and surveys (invitations, answers, detractor call-backs). Each asks the one
policy: the page's actor already sees the customer; registering needs REGISTER_FOR_EVENT."""

from __future__ import annotations

from compliance.access import RecordView
from customers import permissions
from customers.overview.panels import CustomerPanel, register_customer_panel
from loyalty.events import selectors as events
from loyalty.permissions_engagement import EngagementAction
from loyalty.surveys import selectors as surveys


def events_panel(actor, customer) -> dict | None:
    if not permissions.allows(actor, permissions.CustomerAction.VIEW, customer):
        return None
    upcoming = list(events.event_list(actor=actor, upcoming_only=True)[:20])
    return {
        "customer": customer,
        "registrations": list(events.customer_registrations(customer=customer)[:10]),
        "invitations": list(events.customer_invitations(customer=customer)[:10]),
        "upcoming": upcoming,
        "may_register": permissions.allows(actor, EngagementAction.REGISTER_FOR_EVENT, customer),
    }


def surveys_panel(actor, customer) -> dict | None:
    if not permissions.allows(actor, permissions.CustomerAction.VIEW, customer):
        return None
    responses = list(surveys.customer_responses(customer=customer)[:5])
    texts = [answer for response in responses for answer in response.answers.all() if answer.score is None]
    views = {view.obj.pk: view for view in RecordView.for_objects(actor, texts)}
    rows = []
    for response in responses:
        rows.append(
            {
                "response": response,
                "texts": [
                    (answer.question.text(), views[answer.pk].field("text"))
                    for answer in response.answers.all()
                    if answer.score is None
                ],
            }
        )
    return {
        "customer": customer,
        "responses": rows,
        "invitations": surveys.customer_invitations(customer=customer),
    }


def register_engagement_panels() -> None:
    register_customer_panel(
        CustomerPanel(
            name="loyalty-events",
            template="loyalty/events/_customer_panel.html",
            context=events_panel,
            order=40,
            column="side",
        )
    )
    register_customer_panel(
        CustomerPanel(
            name="loyalty-surveys",
            template="loyalty/surveys/_customer_panel.html",
            context=surveys_panel,
            order=45,
            column="side",
        )
    )
