"""Browser pages for CSV imports, duplicate candidates and merges.

Views parse input, call the intake services, duplicates and merging, and render; every read
goes through their restricted selectors, so a job, customer or merge the user may not see is
a 404, and a page the policy does not allow the user is a 403.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from compliance.access import RecordView
from crm.models import Branch
from customers import permissions
from customers.intake import columns, selectors, services
from customers.intake.duplicates import REASON_LABELS, duplicate_candidates
from customers.intake.merging import (
    customers_merge,
    customers_unmerge,
    may_merge,
    merge_get,
    merge_list,
    mergeable_with,
)
from customers.models import Customer, ImportKind, ImportStatus
from customers.selectors import customer_get

RECENT_JOBS = 50
MERGES_PER_PAGE = 50


def _require_import(user) -> None:
    if not selectors.may_import(user):
        raise PermissionDenied


class ImportUploadForm(forms.Form):
    """Upload of a customers or holdings CSV file."""

    kind = forms.ChoiceField(label=_("The file holds"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 text, comma-separated, header in the first row, at most 50 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    home_branch = forms.ModelChoiceField(
        label=_("Default branch"), queryset=Branch.objects.none(), required=False,
        help_text=_("Branch of new customers whose row has no branch code."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        branches = Branch.objects.filter(is_active=True).order_by("code")
        if not permissions.is_head_office(actor):
            branch_id = permissions.user_branch_id(actor)
            branches = branches.filter(pk=branch_id)
            self.fields["home_branch"].initial = branch_id
            self.fields["home_branch"].empty_label = None
        self.fields["home_branch"].queryset = branches

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > columns.MAX_FILE_BYTES:
            raise ValidationError(_("The file is larger than 50 MB."))
        return upload


@require_GET
def import_job_list_view(request):
    """Recent imports the user may see."""
    _require_import(request.user)
    jobs = list(selectors.import_job_list(actor=request.user)[:RECENT_JOBS])
    return render(request, "customers/imports/job_list.html", {"jobs": jobs})


@require_http_methods(["GET", "POST"])
def import_job_create_view(request):
    """Upload form; a bad file re-displays the form with the reason."""
    _require_import(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_job_create(
                actor=request.user, kind=form.cleaned_data["kind"], file_name=upload.name,
                content=upload.read(), home_branch=form.cleaned_data["home_branch"],
            )
        except ValidationError as invalid:
            for name, errors in invalid.message_dict.items():
                form.add_error("file" if name == "content" else name if name in form.fields else None, errors)
        else:
            # No flash message: the job's panel says the file is being checked for as long as
            # it is, and polls until the check is done.
            return redirect("importjob-detail", pk=job.pk)
    return render(request, "customers/imports/job_form.html", {
        "form": form, "customer_columns": columns.CUSTOMER_COLUMNS,
        "holding_columns": columns.HOLDING_COLUMNS,
    })


def _job_context(job) -> dict:
    running = job.status in (ImportStatus.PENDING, ImportStatus.VALIDATING) or (
        job.status == ImportStatus.APPLYING and not job.failure_reason
    )
    problems = [
        {
            "row": entry.get("row"), "field": entry.get("field", ""),
            "severity": entry.get("severity", "error"), "message": columns.problem_message(entry),
            "customer": entry.get("customer", ""),
            "reasons": [
                str(REASON_LABELS[code]) for code in entry.get("reasons", []) if code in REASON_LABELS
            ],
        }
        for entry in (job.errors if not running else [])
    ]
    errors = sum(1 for problem in problems if problem["severity"] == "error")
    unchanged = max(0, job.rows_total - job.rows_created - job.rows_updated - job.rows_failed)
    return {
        "job": job,
        "running": running,
        "interrupted": job.status == ImportStatus.APPLYING and bool(job.failure_reason),
        "can_apply": job.status == ImportStatus.VALIDATED and job.rows_failed == 0,
        "problems": problems,
        "errors_shown": errors,
        "problems_truncated": len(job.errors) >= columns.MAX_STORED_PROBLEMS,
        "unchanged": unchanged,
    }


@require_GET
def import_job_detail_view(request, pk: int):
    """Status, progress, row-level problems and the Apply button of one import."""
    _require_import(request.user)
    job = selectors.import_job_get(actor=request.user, pk=pk)
    return render(request, "customers/imports/job_detail.html", _job_context(job))


@require_GET
def import_job_progress_view(request, pk: int):
    """The job panel alone: htmx polls it every 2 seconds while the job runs."""
    _require_import(request.user)
    job = selectors.import_job_get(actor=request.user, pk=pk)
    return render(request, "customers/imports/_job_panel.html", _job_context(job))


@require_POST
def import_job_apply_view(request, pk: int):
    """Start (or resume) applying a job whose dry run found no errors; its panel then says the
    import is running until it is done."""
    _require_import(request.user)
    job = selectors.import_job_get(actor=request.user, pk=pk)
    try:
        services.import_job_request_apply(actor=request.user, job=job)
    except columns.ImportJobStateError as refused:
        messages.error(request, str(refused))
    return redirect("importjob-detail", pk=job.pk)


@require_GET
def customer_duplicates_view(request, pk: int):
    """Customers that may be the same party as this one, with a link to merge them."""
    customer = customer_get(actor=request.user, pk=pk)
    candidates = duplicate_candidates(actor=request.user, customer=customer)
    views = RecordView.for_objects(request.user, [candidate.customer for candidate in candidates])
    mergeable = (
        mergeable_with(request.user, customer, [candidate.customer for candidate in candidates])
        if customer.merged_into_id is None else set()
    )
    rows = [
        {"candidate": candidate, "view": view, "may_merge": candidate.customer.pk in mergeable}
        for candidate, view in zip(candidates, views, strict=True)
    ]
    return render(request, "customers/imports/duplicates.html", {"customer": customer, "rows": rows})


class MergeForm(forms.Form):
    """Confirm a merge and choose which record survives."""

    survivor = forms.TypedChoiceField(label=_("Record to keep"), coerce=int, widget=forms.RadioSelect)
    confirm = forms.BooleanField(
        label=_("I have checked that both records are the same customer."), required=True,
    )

    def __init__(self, *args, first: Customer, second: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].choices = [
            (customer.pk, f"{customer.number} {customer.display_name}") for customer in (first, second)
        ]
        self.fields["survivor"].initial = min(first.pk, second.pk)


def _merge_figures(customers: list[Customer]) -> dict[int, dict]:
    counted = Customer.objects.filter(pk__in=[customer.pk for customer in customers]).annotate(
        holdings_count=Count("holdings", distinct=True),
        interactions_count=Count("interactions", distinct=True),
        needs_count=Count("needs", distinct=True),
        relationships_out_count=Count("relationships_out", distinct=True),
        relationships_in_count=Count("relationships_in", distinct=True),
    ).values("pk", "holdings_count", "interactions_count", "needs_count", "relationships_out_count",
             "relationships_in_count")
    figures = {}
    for row in counted:
        row["relationships_count"] = row.pop("relationships_out_count") + row.pop("relationships_in_count")
        figures[row["pk"]] = row
    return figures


@require_http_methods(["GET", "POST"])
def customer_merge_view(request, pk: int, other_pk: int):
    """The confirm step of a merge: both records side by side, then merge."""
    first = customer_get(actor=request.user, pk=pk)
    second = customer_get(actor=request.user, pk=other_pk)
    if first.pk == second.pk or not may_merge(request.user, [first, second]):
        raise PermissionDenied
    form = MergeForm(request.POST or None, first=first, second=second)
    if request.method == "POST" and form.is_valid():
        survivor, merged = (first, second) if form.cleaned_data["survivor"] == first.pk else (second, first)
        try:
            customers_merge(actor=request.user, survivor=survivor, merged=merged)
        except ValidationError as invalid:
            for errors in invalid.message_dict.values():
                form.add_error(None, errors)
        else:
            messages.success(request, _gettext("%(merged)s was merged into %(survivor)s.") % {
                "merged": merged.number, "survivor": survivor.number})
            return redirect("merge-list")
    figures = _merge_figures([first, second])
    records = [
        {"customer": customer, "view": view, "figures": figures.get(customer.pk, {})}
        for customer, view in zip((first, second), RecordView.for_objects(request.user, [first, second]),
                                  strict=True)
    ]
    return render(request, "customers/imports/merge_confirm.html", {
        "form": form, "records": records, "first": first, "second": second,
    })


@require_GET
def merge_list_view(request):
    """Merges of customers the user may merge, with a button to reverse each open one."""
    permissions.check(request.user, permissions.CustomerAction.MERGE)
    merges = merge_list(actor=request.user)
    if request.GET.get("open") == "1":
        merges = merges.filter(reversed_at__isnull=True)
    page = Paginator(merges, MERGES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "customers/imports/merge_list.html", {
        "page": page, "only_open": request.GET.get("open") == "1",
    })


@require_POST
def merge_reverse_view(request, pk: int):
    """Reverse one merge."""
    permissions.check(request.user, permissions.CustomerAction.MERGE)
    merge = merge_get(actor=request.user, pk=pk)
    try:
        customers_unmerge(actor=request.user, merge=merge)
    except ValidationError as invalid:
        for errors in invalid.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, _gettext("The merge of %(merged)s into %(survivor)s was reversed.") % {
            "merged": merge.merged.number, "survivor": merge.survivor.number})
    return redirect("merge-list")


__all__ = [
    "customer_duplicates_view",
    "customer_merge_view",
    "import_job_apply_view",
    "import_job_create_view",
    "import_job_detail_view",
    "import_job_list_view",
    "import_job_progress_view",
    "merge_list_view",
    "merge_reverse_view",
]
