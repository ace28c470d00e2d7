"""imports/: records from core banking become import jobs, on the path an upload takes."""

from __future__ import annotations

import pytest

from compliance.models import AuditEvent
from customers.intake import services as intake
from customers.models import Customer, ImportJob, ImportStatus
from tests.customers.api.helpers import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/imports/"


def _record(n: int, **values) -> dict:
    return {
        "external_reference": f"CB-{n:04d}", "kind": "individual", "given_name": f"Given{n}",
        "family_name": f"Family{n}", "date_of_birth": "1980-02-03", "branch_code": "SH01",
        "phone": f"+86 138 0013 {n:04d}", **values,
    }


@pytest.fixture
def core_banking(service_account):
    return client_for(service_account)


def _send(client, records, **extra):
    return client.post(URL, {"kind": "customers", "records": records, **extra}, format="json")


def _validated(response) -> ImportJob:
    assert response.status_code == 202, response.content
    return intake.import_job_validate(job_id=response.json()["id"])


def test_records_are_checked_then_applied_as_an_upload_is(core_banking, service_account, branch,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        sent = _send(core_banking, [_record(1), _record(2, annual_income="250000.00")])
    assert sent.json()["status"] == "pending"
    _validated(sent)

    checked = core_banking.get(f"{URL}{sent.json()['id']}/").json()
    assert (checked["status"], checked["rows_total"], checked["rows_created"], checked["problems"]) == (
        "validated", 2, 2, [])
    with django_capture_on_commit_callbacks():
        requested = core_banking.post(f"{URL}{sent.json()['id']}/apply/")
    assert requested.status_code == 202 and requested.json()["status"] == "applying"
    intake.import_job_apply(job_id=sent.json()["id"], actor_id=service_account.pk)

    assert core_banking.get(f"{URL}{sent.json()['id']}/").json()["status"] == "applied"
    stored = Customer.objects.select_related("individual").get(external_reference="CB-0002")
    assert (stored.individual.given_name, str(stored.individual.annual_income)) == ("Given2", "250000.00")
    assert AuditEvent.objects.filter(action="import.applied").count() == 1
    assert AuditEvent.objects.filter(action="import.batch_applied").count() == 1


def test_a_second_send_of_the_same_records_changes_nothing(core_banking, service_account, branch):
    for _round in range(2):
        job = _validated(_send(core_banking, [_record(1)]))
        if job.rows_created:
            intake.import_job_request_apply(actor=service_account, job=job)
            intake.import_job_apply(job_id=job.pk, actor_id=service_account.pk)
    assert (job.rows_created, job.rows_updated) == (0, 0)
    assert Customer.objects.count() == 1


def test_problems_are_named_by_record_and_the_job_cannot_be_applied(core_banking, branch):
    job = _validated(_send(core_banking, [_record(1), _record(2, phone="not a phone")]))

    read = core_banking.get(f"{URL}{job.pk}/").json()
    assert [(p["record"], p["field"], p["code"]) for p in read["problems"] if p["severity"] == "error"] == [
        (2, "phone", "invalid_phone")]
    refused = core_banking.post(f"{URL}{job.pk}/apply/")
    assert refused.status_code == 409
    assert refused.json()["error"]["status"] == 409
    assert Customer.objects.count() == 0


@pytest.mark.parametrize("records, message", [
    ([], "empty"),
    (["CB-1"], "Record 1 is not an object"),
    ([{"external_reference": "CB-1", "shoe_size": "42"}], "“shoe_size” is not a column"),
    ([{"external_reference": "CB-1", "+86 138 0013 8000": "x"}], "a field is not a column"),
    ([_record(1, annual_income=250000.5)], "must be text"),
    ([_record(1, given_name={"nested": "x"})], "must be text"),
    ([_record(1, given_name=True)], "must be text"),
    ([{"external_reference": "", "kind": None}], "has no values"),
])
def test_malformed_records_answer_400_and_store_nothing(core_banking, branch, records, message):
    response = _send(core_banking, records)

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert list(fields) == ["records"]
    assert message in " ".join(str(item) for item in fields["records"])
    assert "+86 138" not in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_over_the_record_limit_is_refused(core_banking, branch, settings):
    from customers.intake import records

    response = _send(core_banking, [_record(n) for n in range(records.MAX_RECORDS + 1)])
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["records"]


@pytest.mark.parametrize("caller", ["relationship_manager", "branch_staff", "compliance_officer"])
def test_callers_without_import_are_refused_before_the_body_is_read(request, caller, branch):
    client = client_for(request.getfixturevalue(caller))

    assert _send(client, "not even a list").status_code == 403
    assert client.get(URL).status_code == 403
    assert client.options(URL).status_code == 403
    assert ImportJob.objects.count() == 0


def test_another_branchs_job_is_not_found(core_banking, branch, branch_manager, other_branch):
    job = _validated(_send(core_banking, [_record(1)]))
    stranger = UserFactory(role="branch_manager", branch=other_branch, username="manager.far")
    client = client_for(stranger)

    assert client.get(f"{URL}{job.pk}/").status_code == 404
    assert client.post(f"{URL}{job.pk}/apply/").status_code == 404
    assert client.get(f"{URL}999999/").status_code == 404
    assert client.options(f"{URL}{job.pk}/").status_code == client.options(f"{URL}999999/").status_code == 404
    assert [item["id"] for item in client.get(URL).json()["results"]] == []
    assert [item["id"] for item in core_banking.get(URL).json()["results"]] == [job.pk]


def test_a_branch_manager_imports_for_their_branch_only(branch_manager, branch, other_branch):
    client = client_for(branch_manager)

    refused = _send(client, [_record(1)], home_branch=other_branch.pk)
    assert refused.status_code == 400 and list(refused.json()["error"]["fields"]) == ["home_branch"]
    accepted = _validated(_send(client, [_record(1)]))
    assert accepted.status == ImportStatus.VALIDATED and accepted.rows_created == 1
