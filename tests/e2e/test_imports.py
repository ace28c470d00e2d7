"""The import page in a real browser: the check's banner follows the check, problems say what
is wrong with a date, unknown columns are named."""

from __future__ import annotations

import pytest
from celery import current_app
from playwright.sync_api import expect

from customers.intake import dispatch
from customers.models import ImportJob
from tests.customers.intake.helpers import fixture_bytes
from tests.e2e.portal import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _upload(page, live_server, name: str, content: bytes) -> None:
    page.goto(f"{live_server.url}/customers/imports/new/")
    page.get_by_label("The file holds").select_option("customers")
    page.get_by_label("CSV file").set_input_files(files=[{"name": name, "mimeType": "text/csv",
                                                          "buffer": content}])
    page.get_by_role("button", name="Upload and check").click()


def test_the_checking_banner_goes_when_the_check_is_done(offline_page, live_server, branch_manager,
                                                         monkeypatch):
    queued = []
    # The check waits for a worker, as it does in production, until the test runs it.
    monkeypatch.setattr(dispatch, "send", lambda task_name, *args: queued.append((task_name, args)))
    page = offline_page
    sign_in(page, live_server, "manager.one")

    _upload(page, live_server, "customers_errors.csv", fixture_bytes("customers_errors.csv"))

    banner = page.get_by_test_id("import-running")
    expect(banner).to_contain_text("It is being checked now")
    expect(page.get_by_test_id("import-job")).to_have_attribute("data-status", "pending")
    job = ImportJob.objects.get()
    assert queued == [(dispatch.VALIDATE_IMPORT, (job.pk,))]

    current_app.tasks[dispatch.VALIDATE_IMPORT](job.pk)

    panel = page.get_by_test_id("import-job")
    expect(panel).to_have_attribute("data-status", "validated", timeout=10_000)
    expect(page.get_by_test_id("import-running")).to_have_count(0)
    expect(page.get_by_text("being checked")).to_have_count(0)
    expect(panel).to_contain_text("Checked 6 rows")
    problems = page.get_by_test_id("import-problems")
    expect(problems.locator("tr", has_text="date_of_birth")).to_contain_text(
        "This date does not exist: check the day and the month.")
    expect(problems).not_to_contain_text("Enter a date as YYYY-MM-DD.")


def test_unknown_columns_are_named_by_header_and_position(offline_page, live_server, branch_manager):
    page = offline_page
    sign_in(page, live_server, "manager.one")

    _upload(page, live_server, "typo.csv",
            b"external_reference,kind,given_nmae,<i>x</i>\nA,individual,Wei,y\n")

    errors = page.get_by_test_id("import-upload-form")
    expect(errors).to_contain_text(
        "The header has unknown columns: \u201cgiven_nmae\u201d (column 3, did you mean given_name?); "
        "\u201c<i>x</i>\u201d (column 4).")
    expect(errors.locator("i")).to_have_count(0)
    assert ImportJob.objects.count() == 0
