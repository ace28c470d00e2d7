"""Import jobs: upload, dry run and apply (see `customers.intake` for the policy).

The writes themselves go through `customers.services.bulk`, the set-based writer the API
shares; this module owns the job, its progress and its audit events. Tasks are queued in the
transaction that calls for them through `customers.intake.dispatch` (the outbox, sent after
commit), which names them without importing them, so this module never depends on the task
module that calls it.
"""

from __future__ import annotations

import itertools
import os

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _gettext

from compliance.audit import audit_record
from crm.models import Branch
from customers import permissions
from customers.intake import dispatch
from customers.intake.columns import (
    BATCH_SIZE,
    JOB_OBJECT_TYPE,
    ImportJobStateError,
    count_rows,
    decode_content,
)
from customers.intake.parsing import ImportContext, Record, batches, read_records
from customers.intake.planning import (
    Outcome,
    counts_of,
    flag_possible_duplicates,
    merge_problems,
    problems_of,
    resolve_customers,
    resolve_holdings,
)
from customers.intake.selectors import check_may_import, import_job_list, is_unrestricted
from customers.models import (
    ImportJob,
    ImportKind,
    ImportStatus,
)
from customers.services.bulk import CustomerWrite, customers_bulk_save, holdings_bulk_save


def write_customers(context: ImportContext, outcomes: list[Outcome]) -> dict:
    """Write a batch's planned customers through the shared set-based writer."""
    writes = {"create": [], "update": []}
    for outcome in outcomes:
        if outcome.action in writes:
            writes[outcome.action].append(CustomerWrite(
                customer=outcome.record, profile=outcome.profile, changed=outcome.changed,
                previous_manager_id=outcome.previous_manager_id,
            ))
    return customers_bulk_save(actor=context.actor, creates=writes["create"], updates=writes["update"],
                               event_data={"import": context.job_id})


def write_holdings(context: ImportContext, outcomes: list[Outcome]) -> dict:
    """Write a batch's planned holdings through the shared set-based writer."""
    writing = [outcome for outcome in outcomes if outcome.action in ("create", "update")]
    if not writing:
        return {"created": [], "updated": [], "fields": []}
    customer_ids = holdings_bulk_save(holdings=[outcome.record for outcome in writing])
    return {
        "created": [outcome.record.pk for outcome in writing if outcome.action == "create"],
        "updated": [outcome.record.pk for outcome in writing if outcome.action == "update"],
        "fields": sorted({name for outcome in writing for name in outcome.changed}),
        "customers": customer_ids,
    }


def process_batch(context: ImportContext, records: list[Record]) -> tuple[list[Outcome], dict | None]:
    """Check (and, unless a dry run, write) one batch; return the outcomes and what was written."""
    if context.kind == ImportKind.CUSTOMERS:
        outcomes = resolve_customers(context, records)
        if context.dry_run:
            flag_possible_duplicates(context, outcomes)
            return outcomes, None
        return outcomes, write_customers(context, outcomes)
    outcomes = resolve_holdings(context, records)
    if context.dry_run:
        return outcomes, None
    return outcomes, write_holdings(context, outcomes)


def _job_text(job_id: int) -> str:
    return ImportJob.objects.only("content", "record_key").get(pk=job_id).content


@transaction.atomic
def import_job_create(*, actor, kind: str, file_name: str, content: bytes | str,
                      home_branch: Branch | None = None) -> ImportJob:
    """Store an uploaded CSV file as a new import job and queue its dry run.

    `home_branch` is the branch of new customers whose row names none; a branch-bound
    importer (a branch manager) may only choose their own branch, which is also the default.
    Raise PermissionDenied without the IMPORT permission, ValidationError (on "content",
    "kind" or "home_branch") for a file over 50 MB, not UTF-8, not CSV, with a header that
    lacks a required column or names an unknown one, or without data rows.
    """
    check_may_import(actor)
    if kind not in ImportKind.values:
        raise ValidationError({"kind": _gettext("Choose customers or holdings.")})
    if not is_unrestricted(actor):
        branch_id = permissions.user_branch_id(actor)
        if home_branch is not None and home_branch.pk != branch_id:
            raise ValidationError({"home_branch": _gettext("You may import only for your own branch.")})
        if home_branch is None:
            home_branch = Branch.objects.get(pk=branch_id)
    if home_branch is not None and not home_branch.is_active:
        raise ValidationError({"home_branch": _gettext("This branch is closed.")})
    text = decode_content(content)
    rows = count_rows(text, kind)
    if rows == 0:
        raise ValidationError({"content": _gettext("The file has a header but no rows.")})
    job = ImportJob(
        kind=kind, file_name=os.path.basename(file_name or "")[:200] or "upload.csv", content=text,
        rows_total=rows, home_branch=home_branch, created_by=actor,
    )
    job.full_clean(exclude=["content"])
    job.save()
    audit_record(actor=actor, action="import.created", object_type=JOB_OBJECT_TYPE, object_id=job.pk,
                 extra={"kind": kind, "rows": rows})
    # Sent when this commits, or by the outbox sweep if the broker is down meanwhile.
    dispatch.send(dispatch.VALIDATE_IMPORT, job.pk)
    return job


def _locked_job(job_id: int) -> ImportJob:
    return ImportJob.objects.select_for_update(of=("self",)).defer("content").get(pk=job_id)


JOB_PROGRESS_FIELDS = [
    "status", "rows_total", "rows_processed", "rows_created", "rows_updated", "rows_failed", "errors",
    "failure_reason", "finished_at",
]


def import_job_validate(*, job_id: int) -> ImportJob:
    """The dry run: check every row of a waiting job and record what applying it would do.

    Writes only the job: progress after each batch, then status VALIDATED with `rows_failed`
    (rows with errors), `rows_created` / `rows_updated` (rows that would create or change a
    record), and `errors` (errors and warnings by row and column, at most 1,000). A job past
    this step is returned as it is, so running the task twice is harmless; a job found
    VALIDATING (a worker died) is checked again from the start.
    Raise ImportJob.DoesNotExist for an unknown id.
    """
    with transaction.atomic():
        job = _locked_job(job_id)
        if job.status not in (ImportStatus.PENDING, ImportStatus.VALIDATING):
            return job
        job.status = ImportStatus.VALIDATING
        job.rows_processed = job.rows_created = job.rows_updated = job.rows_failed = 0
        job.errors = []
        job.failure_reason = ""
        job.save(update_fields=JOB_PROGRESS_FIELDS)
    actor = get_user_model().objects.get(pk=job.created_by_id)
    context = ImportContext.build(job, actor=actor, dry_run=True)
    totals = {"create": 0, "update": 0, "unchanged": 0, "failed": 0}
    problems: list[dict] = []
    processed = 0
    for batch in batches(read_records(_job_text(job_id)), BATCH_SIZE):
        outcomes, _written = process_batch(context, batch)
        for action, count in counts_of(outcomes).items():
            totals[action] += count
        problems = merge_problems(problems, problems_of(outcomes))
        processed += len(batch)
        ImportJob.objects.filter(pk=job_id, status=ImportStatus.VALIDATING).update(rows_processed=processed)
    with transaction.atomic():
        job = _locked_job(job_id)
        if job.status != ImportStatus.VALIDATING:
            return job
        job.status = ImportStatus.VALIDATED
        job.rows_total = processed
        job.rows_processed = 0
        job.rows_created = totals["create"]
        job.rows_updated = totals["update"]
        job.rows_failed = totals["failed"]
        job.errors = problems
        job.save(update_fields=JOB_PROGRESS_FIELDS)
    return job


def _start_applying(job: ImportJob) -> None:
    if job.rows_failed:
        raise ImportJobStateError(_gettext(
            "The dry run found errors: correct the file and upload it again."))
    job.status = ImportStatus.APPLYING
    job.rows_processed = job.rows_created = job.rows_updated = job.rows_failed = 0
    job.failure_reason = ""
    job.errors = [entry for entry in job.errors if entry.get("severity") == "warning"]
    job.save(update_fields=JOB_PROGRESS_FIELDS)


def _check_may_apply(actor, job: ImportJob) -> None:
    check_may_import(actor)
    if not import_job_list(actor=actor).filter(pk=job.pk).exists():
        raise PermissionDenied(_gettext("You may not apply this import."))


@transaction.atomic
def import_job_request_apply(*, actor, job: ImportJob) -> ImportJob:
    """Queue the apply of a job whose dry run found no errors, or resume an interrupted one.

    Raise PermissionDenied if `actor` may not import or see the job; ImportJobStateError if
    the dry run is not finished, found errors, or the job is already running or applied.
    """
    job = _locked_job(job.pk)
    _check_may_apply(actor, job)
    if job.status == ImportStatus.VALIDATED:
        _start_applying(job)
    elif job.status == ImportStatus.APPLYING and job.failure_reason:
        job.failure_reason = ""
        job.save(update_fields=["failure_reason"])
    elif job.status == ImportStatus.APPLYING:
        raise ImportJobStateError(_gettext("This import is already running."))
    elif job.status == ImportStatus.APPLIED:
        raise ImportJobStateError(_gettext("This import has already been applied."))
    else:
        raise ImportJobStateError(_gettext("The dry run has not finished yet."))
    # Sent when this commits, or by the outbox sweep if the broker is down meanwhile.
    dispatch.send(dispatch.APPLY_IMPORT, job.pk, actor.pk)
    return job


def import_job_apply(*, job_id: int, actor_id: int, batch_size: int | None = None) -> ImportJob:
    """Apply a checked import in batches of `batch_size` rows (BATCH_SIZE), one transaction each.

    Accepts a VALIDATED job whose dry run found no errors, and an APPLYING one, which
    continues from `rows_processed` (an interrupted run); an APPLIED job is returned as it is.
    Each batch upserts by external reference, skips unchanged rows, grants book permissions,
    writes history and one `import.batch_applied` audit event, refreshes AUM for holdings,
    and commits the job's progress with the data. The last step marks the job APPLIED and
    records `import.applied` with counts only.
    Raise ImportJob.DoesNotExist for an unknown id, PermissionDenied if `actor_id` may not
    import or see the job, ImportJobStateError if the job is not ready to apply.
    """
    actor = get_user_model().objects.get(pk=actor_id)
    with transaction.atomic():
        job = _locked_job(job_id)
        if job.status == ImportStatus.APPLIED:
            return job
        _check_may_apply(actor, job)
        if job.status == ImportStatus.VALIDATED:
            _start_applying(job)
        elif job.status != ImportStatus.APPLYING:
            raise ImportJobStateError(_gettext("The dry run has not finished yet."))
        elif job.failure_reason:
            job.failure_reason = ""
            job.save(update_fields=["failure_reason"])
    batch_size = batch_size or BATCH_SIZE
    context = ImportContext.build(job, actor=actor, dry_run=False)
    text = _job_text(job_id)
    position = job.rows_processed
    records = read_records(text, skip=position)
    while True:
        with transaction.atomic():
            job = _locked_job(job_id)
            if job.status != ImportStatus.APPLYING:
                return job
            if job.rows_processed != position:
                # Another worker applied batches meanwhile: continue after them.
                position = job.rows_processed
                records = read_records(text, skip=position)
            batch = list(itertools.islice(records, batch_size))
            if not batch:
                return _finish(job, actor)
            outcomes, written = process_batch(context, batch)
            counts = counts_of(outcomes)
            position += len(batch)
            job.rows_processed = position
            job.rows_created += counts["create"]
            job.rows_updated += counts["update"]
            job.rows_failed += counts["failed"]
            failures = [entry for entry in problems_of(outcomes) if entry["severity"] == "error"]
            if failures:
                job.errors = merge_problems(job.errors, failures)
            if written["created"] or written["updated"]:
                audit_record(
                    actor=actor, action="import.batch_applied", object_type=JOB_OBJECT_TYPE, object_id=job.pk,
                    fields=written["fields"],
                    extra={"rows": [batch[0].number, batch[-1].number], "kind": job.kind,
                           **{key: value for key, value in written.items() if key != "fields"}},
                )
            job.save(update_fields=JOB_PROGRESS_FIELDS)


def _finish(job: ImportJob, actor) -> ImportJob:
    job.status = ImportStatus.APPLIED
    job.finished_at = timezone.now()
    job.save(update_fields=JOB_PROGRESS_FIELDS)
    audit_record(
        actor=actor, action="import.applied", object_type=JOB_OBJECT_TYPE, object_id=job.pk,
        extra={"kind": job.kind, "rows": job.rows_total, "created": job.rows_created,
               "updated": job.rows_updated, "failed": job.rows_failed},
    )
    return job


def import_job_interrupted(*, job_id: int, reason: str) -> None:
    """Record why a task could not go on. A job being checked fails (upload it again); a job
    being applied keeps its progress and can be resumed; others only get the reason."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update(of=("self",)).defer("content").filter(pk=job_id).first()
        if job is None:
            return
        job.failure_reason = reason[:300]
        if job.status in (ImportStatus.PENDING, ImportStatus.VALIDATING):
            job.status = ImportStatus.FAILED
            job.finished_at = timezone.now()
        job.save(update_fields=["failure_reason", "status", "finished_at"])
