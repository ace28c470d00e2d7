"""Reads of the surveys for the portal: a customer's invitations and responses (the caller
fetched the customer through the policy) and one response with its answers, shown through
the trust layer."""

from __future__ import annotations

from django.db.models import QuerySet

from loyalty.models import SurveyInvitation, SurveyResponse


def customer_invitations(*, customer, limit: int = 10) -> list[SurveyInvitation]:
    return list(
        SurveyInvitation.objects.filter(customer=customer)
        .select_related("template")
        .order_by("-created_at", "-pk")[:limit]
    )


def customer_responses(*, customer) -> QuerySet:
    return (
        SurveyResponse.objects.filter(customer=customer)
        .select_related("follow_up")
        .prefetch_related("answers__question")
        .order_by("-submitted_at", "-pk")
    )
