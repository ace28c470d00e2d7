"""Reads of import jobs, restricted to what the actor may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from crm.models import Branch
from customers import permissions
from customers.models import ImportJob

IMPORT = permissions.CustomerAction.IMPORT


def is_unrestricted(actor) -> bool:
    """Whether `actor` imports for every branch (head office, core banking), as the policy says."""
    return permissions.is_head_office(actor)


def may_import(actor) -> bool:
    """Whether `actor` may upload and apply imports (IMPORT, and a branch unless head office)."""
    return permissions.allows(actor, IMPORT)


def check_may_import(actor) -> None:
    """Raise PermissionDenied (with the policy's message) unless `actor` may import."""
    permissions.check(actor, IMPORT)


def import_job_list(*, actor) -> QuerySet:
    """Import jobs `actor` may see, newest first: their own, and those of every branch they
    may import for (their own branch; all for head office). None without IMPORT."""
    jobs = ImportJob.objects.defer("content").select_related("created_by", "home_branch").order_by(
        "-created_at", "-pk"
    )
    if not may_import(actor):
        return jobs.none()
    if is_unrestricted(actor):
        return jobs
    condition = Q(created_by=actor)
    branch_id = permissions.user_branch_id(actor)
    if branch_id and permissions.allows(actor, IMPORT, Branch(pk=branch_id)):
        condition |= Q(home_branch_id=branch_id)
    return jobs.filter(condition)


def import_jobs_visible(actor, ids, *, clear_fields=()) -> bool:
    """Whether `actor` may see every import job in `ids` now (an Idempotency-Key replay asks
    before showing a stored answer about them again; jobs carry no field shown in clear)."""
    wanted = set(ids)
    return set(import_job_list(actor=actor).filter(pk__in=wanted).values_list("pk", flat=True)) == wanted


def import_job_get(*, actor, pk: int) -> ImportJob:
    """The job `pk` if `actor` may see it; Http404 otherwise (same for missing and not yours)."""
    try:
        return import_job_list(actor=actor).get(pk=pk)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
