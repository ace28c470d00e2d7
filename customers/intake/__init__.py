"""CSV import of customers and holdings, duplicate detection, and merging duplicates.

An import is an `ImportJob` and goes through three steps:

1. `services.import_job_create` checks the permission (IMPORT), the size (at most 50 MB), the
   encoding (UTF-8; a byte-order mark is tolerated) and the header, stores the file
   encrypted (it is customer data) and queues the dry run.
2. `services.import_job_validate`, the dry run, reads every row and writes nothing but the
   job: errors by row number and column (never the offending value), references repeated
   inside the file, rows that look like existing customers (warnings: same ID number, phone
   or e-mail, or a similar name with the same date of birth), and how many rows would
   create, update or leave a record as it is.
3. `services.import_job_apply` writes the file in batches of 1,000 rows, one transaction per
   batch, through the set-based writer `customers.services.bulk`: upserts on the core-banking
   reference of the records, their profiles, the relationship managers' book permissions and
   the history, the AUM of the customers whose holdings changed, one audit event per batch
   (ids and field names), and the job's progress. A fixed number of queries per batch,
   whatever its size (plus one grant and one revoke per relationship manager named).

Policy
    An import is applied only after a dry run with no errors. A corrected file is uploaded
    again; a partly applied core-banking extract would be harder to reason about than a
    refused one. Warnings do not block. Rows that become invalid between the dry run and the
    apply (another import or a user changed the data meanwhile) are skipped and listed with
    their errors, and the rest is applied. Who may import, and for which branch, is the
    customers policy's IMPORT rule; a reference the importer may not see gets one neutral
    answer whatever the record behind it.

Idempotence and resuming
    Records are matched by `external_reference`. A row whose values equal the stored ones is
    not written at all, so applying the same file twice creates and changes nothing. Progress
    (`rows_processed`) is committed with each batch, so an interrupted apply (a worker lost, a
    database restart) continues from the first row not yet applied when it runs again.

Blank cells leave the stored value as it is (an import never erases data). The columns are
listed in `columns` and shown on the upload page.

Modules, each importing only those above it in this list:
    columns    column specs, row problems, header checks
    selectors  who may import, which jobs they see
    parsing    reading rows and parsing cells
    duplicates duplicate candidates (also used by the pages)
    planning   the plan of a batch (create, update, unchanged, failed)
    dispatch   queueing the tasks by name, through the outbox
    services   job create, dry run, apply
    records    a job from records sent through the API
    tasks      Celery entry points calling services
    merging    merge and unmerge of duplicates
    views urls the browser pages
"""
