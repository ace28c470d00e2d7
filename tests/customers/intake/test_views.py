"""The import pages: access, upload, progress, problems, apply."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.roles import Role
from customers.models import (
    Customer,
    ImportJob,
    ImportStatus,
)
from tests.customers.intake.helpers import (
    checked,
    create_job,
    fixture_bytes,
)
from tests.factories import BranchFactory, UserFactory

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


def test_import_pages_need_sign_in(client):
    for url in (reverse("importjob-list"), reverse("importjob-create")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_import_pages_are_refused_without_the_import_permission(client, relationship_manager, branch_manager):
    job = create_job(branch_manager, fixture_bytes("customers_valid.csv"))
    client.force_login(relationship_manager)

    for url in (
        reverse("importjob-list"),
        reverse("importjob-create"),
        reverse("importjob-detail", args=[job.pk]),
        reverse("importjob-progress", args=[job.pk]),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("importjob-apply", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == ImportStatus.PENDING


def test_branch_manager_uploads_checks_and_applies_through_the_pages(
    client, branch_manager, manager_rm, django_capture_on_commit_callbacks
):
    client.force_login(branch_manager)
    assert client.get(reverse("importjob-create")).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("importjob-create"),
            {
                "kind": "customers",
                "file": _upload("customers_valid.csv", fixture_bytes("customers_valid.csv")),
            },
        )

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("importjob-detail", args=[job.pk])
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-status="validated"' in body
    assert 'data-testid="apply-import"' in body
    assert "hx-trigger" not in body

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("importjob-apply", args=[job.pk]))

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.APPLIED
    assert Customer.objects.count() == 4
    listing = client.get(reverse("importjob-list")).content.decode()
    assert "customers_valid.csv" in listing


def test_running_job_panel_polls_every_two_seconds(client, branch_manager):
    job = create_job(branch_manager, fixture_bytes("customers_valid.csv"))
    client.force_login(branch_manager)

    fragment = client.get(reverse("importjob-progress", args=[job.pk]), HTTP_HX_REQUEST="true")

    body = fragment.content.decode()
    assert fragment.status_code == 200
    assert 'hx-trigger="every 2s"' in body
    assert f'hx-get="{reverse("importjob-progress", args=[job.pk])}"' in body
    assert "<html" not in body


def test_job_page_lists_row_errors_and_offers_no_apply(client, branch_manager):
    job = checked(branch_manager, fixture_bytes("customers_errors.csv"))
    client.force_login(branch_manager)

    body = client.get(reverse("importjob-detail", args=[job.pk])).content.decode()

    assert body.count('data-severity="error"') == 5
    assert "Unknown branch code." in body
    assert 'data-testid="apply-import"' not in body
    assert "ZZ99" not in body and "1990-02-30" not in body


def test_bad_upload_redisplays_the_form_with_the_reason(client, branch_manager):
    client.force_login(branch_manager)

    response = client.post(
        reverse("importjob-create"),
        {
            "kind": "customers",
            "file": _upload("x.csv", b"kind,given_name\nindividual,Wei\n"),
        },
    )

    assert response.status_code == 200
    assert "The header lacks the required columns: external_reference." in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_unknown_columns_are_named_by_their_header_escaped_and_position(client, branch_manager):
    client.force_login(branch_manager)

    response = client.post(reverse("importjob-create"), {
        "kind": "customers",
        "file": _upload("x.csv", b"external_reference,kind,<b>notes</b>,Zhang Wei\nA,individual,x,y\n"),
    })

    body = response.content.decode()
    assert response.status_code == 200
    assert "unknown columns: \u201c&lt;b&gt;notes&lt;/b&gt;\u201d (column 3); column 4." in body
    assert "<b>notes</b>" not in body and "Zhang" not in body
    assert ImportJob.objects.count() == 0


def test_the_running_banner_shows_only_while_the_job_runs(client, branch_manager,
                                                          django_capture_on_commit_callbacks):
    client.force_login(branch_manager)
    pending = create_job(branch_manager, fixture_bytes("customers_valid.csv"))

    running = client.get(reverse("importjob-detail", args=[pending.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("importjob-create"), {
            "kind": "customers", "file": _upload("customers_valid.csv", fixture_bytes("customers_valid.csv")),
        })
    done = client.get(response["Location"]).content.decode()

    assert running.count("It is being checked now") == 1
    assert 'data-testid="import-running"' in running
    assert 'data-status="validated"' in done
    assert "being checked" not in done
    assert 'data-testid="import-running"' not in done


def test_another_branch_managers_job_is_not_found(client, branch_manager, other_branch):
    other_manager = UserFactory(role=Role.BRANCH_MANAGER, branch=other_branch, username="manager.far")
    job = create_job(branch_manager, fixture_bytes("customers_valid.csv"))
    client.force_login(other_manager)

    assert client.get(reverse("importjob-detail", args=[job.pk])).status_code == 404
    assert client.post(reverse("importjob-apply", args=[job.pk])).status_code == 404
    assert job.pk not in [row.pk for row in client.get(reverse("importjob-list")).context["jobs"]]


def test_import_list_query_count_does_not_grow_with_jobs(
    client, branch_manager, django_assert_max_num_queries
):
    client.force_login(branch_manager)
    create_job(branch_manager, fixture_bytes("customers_valid.csv"))
    client.get(reverse("importjob-list"))
    for n in range(10):
        create_job(branch_manager, fixture_bytes("customers_valid.csv"), name=f"file{n}.csv")
    BranchFactory(code="BJ01")

    with django_assert_max_num_queries(12):
        response = client.get(reverse("importjob-list"))
    assert len(response.context["jobs"]) == 11


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")
