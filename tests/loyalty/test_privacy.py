"""A privacy export of a customer holds what loyalty keeps about them, and nothing of another."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from compliance.privacy import services
from compliance.privacy.models import PrivacyExport
from loyalty.points import award_activity

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_customers_points_and_not_another_customers(
    compliance_officer, customer, other_customer, rules, clock, django_capture_on_commit_callbacks
):
    award_activity(
        customer=customer, activity="event_attendance", reference="EV-1:REG-1", occurred_at=clock()
    )
    award_activity(
        customer=other_customer, activity="event_attendance", reference="EV-1:REG-2", occurred_at=clock()
    )
    request = services.request_log(
        actor=compliance_officer,
        kind="access",
        subject_type_name="customers.customer",
        subject_reference=customer.number,
        channel="branch",
        verification="id_document",
    )
    with django_capture_on_commit_callbacks(execute=True):
        export = services.export_request(actor=compliance_officer, request=request)
    content = services.export_download(
        actor=compliance_officer, export=PrivacyExport.objects.get(pk=export.pk)
    )
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        data = json.loads(archive.read("data.json"))
        names = set(archive.namelist())
    [entry] = data["loyalty.points_entries"]
    assert entry["points"] == 100 and "loyalty.points_entries.csv" in names
    assert data["loyalty.points_lots"][0]["remaining"] == 100
    assert "EV-1:REG-2" not in json.dumps(data)
    assert all("token_hash" not in row for row in data["loyalty.survey_invitations"])
