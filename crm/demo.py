"""Demo organisation: a head office, regional offices, branches and one account per role."""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from crm.models import Branch, StaffProfile
from crm.roles import Role

DEFAULT_DEMO_PASSWORD = "Demo-Bank-2026!"  # noqa: S105 - documented demo credential

# (code, name, region, parent code)
BRANCHES = [
    ("HQ", "Head Office", "Head office", None),
    ("R-EAST", "East China Regional Office", "East China", "HQ"),
    ("R-SOUTH", "South China Regional Office", "South China", "HQ"),
    ("R-NORTH", "North China Regional Office", "North China", "HQ"),
    ("SH01", "Shanghai Lujiazui", "East China", "R-EAST"),
    ("SH02", "Shanghai Jing'an", "East China", "R-EAST"),
    ("HZ01", "Hangzhou West Lake", "East China", "R-EAST"),
    ("GZ01", "Guangzhou Tianhe", "South China", "R-SOUTH"),
    ("SZ01", "Shenzhen Futian", "South China", "R-SOUTH"),
    ("BJ01", "Beijing Financial Street", "North China", "R-NORTH"),
]

# Branches that serve customers (the rest are offices).
CUSTOMER_BRANCHES = ["SH01", "SH02", "HZ01", "GZ01", "SZ01", "BJ01"]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    role: Role
    branch: str | None
    employee_number: str
    title: str


DEMO_ACCOUNTS = [
    DemoAccount("admin", "Ada", "Admin", Role.ADMINISTRATOR, None, "E0001", "Portal administrator"),
    DemoAccount("rm.chen", "Wei", "Chen", Role.RELATIONSHIP_MANAGER, "SH01", "E1001",
                "Senior relationship manager"),
    DemoAccount("rm.li", "Na", "Li", Role.RELATIONSHIP_MANAGER, "SH01", "E1002",
                "Relationship manager"),
    DemoAccount("rm.wong", "Ka Ho", "Wong", Role.RELATIONSHIP_MANAGER, "GZ01", "E2001",
                "Relationship manager"),
    DemoAccount("staff.zhao", "Min", "Zhao", Role.BRANCH_STAFF, "SH01", "E1101", "Customer service officer"),
    DemoAccount("manager.sun", "Jie", "Sun", Role.BRANCH_MANAGER, "SH01", "E1201", "Branch manager"),
    DemoAccount("compliance.liu", "Yang", "Liu", Role.COMPLIANCE_OFFICER, None, "E0101",
                "Compliance officer"),
    DemoAccount("svc.corebanking", "Core", "Banking", Role.SERVICE_ACCOUNT, None, "S0001",
                "Core banking integration"),
    DemoAccount("svc.loyalty", "Loyalty", "Programme", Role.SERVICE_ACCOUNT, None, "S0002",
                "Loyalty programme (tier changes on the timeline)"),
]


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


@transaction.atomic
def seed_organisation() -> dict[str, int]:
    """Create (or update) the demo branches and accounts; safe to run again."""
    branches: dict[str, Branch] = {}
    for code, name, region, parent in BRANCHES:
        branch, _ = Branch.objects.update_or_create(
            code=code,
            defaults={"name": name, "region": region, "parent": branches.get(parent) if parent else None},
        )
        branches[code] = branch
    User = get_user_model()
    groups = {group.name: group for group in Group.objects.all()}
    password = demo_password()
    for account in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=account.username,
            defaults={"first_name": account.first_name, "last_name": account.last_name,
                      "email": f"{account.username}@bank.example"},
        )
        if created:
            user.set_password(password)
        user.is_staff = account.role == Role.ADMINISTRATOR
        user.is_superuser = account.role == Role.ADMINISTRATOR
        user.save()
        user.groups.set([groups[account.role.value]])
        StaffProfile.objects.update_or_create(
            user=user,
            defaults={
                "branch": branches[account.branch] if account.branch else None,
                "employee_number": account.employee_number,
                "title": account.title,
            },
        )
    return {"branches": len(branches), "accounts": len(DEMO_ACCOUNTS)}
