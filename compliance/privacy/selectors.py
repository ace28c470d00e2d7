"""Reads of privacy requests for compliance officers: the list with clocks, one request."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from compliance.privacy import permissions
from compliance.privacy.clock import request_clock
from compliance.privacy.models import PrivacyRequest, RequestStatus
from compliance.privacy.registry import subject_type
from crm.pagination import keyset_paginate

PAGE_SIZE = 50
STATUS_FILTERS = ("open", "completed", "refused", "all")


def request_queryset(*, user, status: str = "open") -> QuerySet:
    """The requests `user` may handle (none unless a compliance officer), by status."""
    if not permissions.may_handle(user):
        return PrivacyRequest.objects.none()
    queryset = PrivacyRequest.objects.select_related("profile", "logged_by", "closed_by")
    if status != "all":
        queryset = queryset.filter(status=status if status in RequestStatus.values else RequestStatus.OPEN)
    return queryset.order_by("due_on", "pk")


def _described(request: PrivacyRequest, today: datetime.date) -> dict:
    try:
        subject = subject_type(request.subject_type).describe(request.subject_id)
    except Exception:
        subject = f"{request.subject_type} {request.subject_id}"
    return {"privacy_request": request, "subject": subject, "clock": request_clock(request, today)}


def request_page(*, user, status: str = "open", after: int | None = None, today: datetime.date):
    page = keyset_paginate(request_queryset(user=user, status=status), size=PAGE_SIZE, after=after)
    return page, [_described(request, today) for request in page.rows]


def request_get(*, user, reference: str) -> PrivacyRequest:
    """One request by reference (PrivacyRequest.DoesNotExist for a missing one and for a user
    who may not handle requests alike)."""
    return request_queryset(user=user, status="all").get(reference=reference)


def request_detail(*, user, reference: str, today: datetime.date) -> dict:
    request = request_get(user=user, reference=reference)
    detail = _described(request, today)
    detail["exports"] = list(request.exports.select_related("requested_by", "downloaded_by"))
    return detail
