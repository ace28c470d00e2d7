"""Shared pieces of the intake tests: fixture files and job shortcuts."""

from __future__ import annotations

from pathlib import Path

from customers.intake import services
from customers.models import ImportJob, ImportKind

FIXTURES = Path(__file__).parent.parent / "fixtures"
CUSTOMER_HEADER = (
    "external_reference,kind,given_name,family_name,date_of_birth,branch_code,rm_employee_number,phone"
)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def create_job(actor, content, *, kind=ImportKind.CUSTOMERS, home_branch=None, name="customers.csv"):
    return services.import_job_create(
        actor=actor, kind=kind, file_name=name, content=content, home_branch=home_branch
    )


def checked(actor, content, **kwargs) -> ImportJob:
    job = create_job(actor, content, **kwargs)
    return services.import_job_validate(job_id=job.pk)


def applied(actor, content, **kwargs) -> ImportJob:
    job = checked(actor, content, **kwargs)
    return services.import_job_apply(job_id=job.pk, actor_id=actor.pk)


def generated_customers(count: int, *, start: int = 1, manager_number: str = "RM0001") -> bytes:
    lines = [CUSTOMER_HEADER]
    for n in range(start, start + count):
        lines.append(
            f"GEN-{n:06d},individual,Given{n},Family{n},1970-01-{n % 28 + 1:02d},SH01,{manager_number},"
            f"+86 138 {n // 10000 % 10000:04d} {n % 10000:04d}"
        )
    return ("\n".join(lines) + "\n").encode()


def problem_keys(job: ImportJob, severity: str = "error") -> list[tuple[int, str, str]]:
    return [
        (entry["row"], entry["field"], entry["code"]) for entry in job.errors if entry["severity"] == severity
    ]
