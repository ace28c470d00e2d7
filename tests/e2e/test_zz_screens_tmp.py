import datetime
import importlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from crm.roles import Role
from customers import permissions, services
from customers.models import Customer, Relationship, RelationshipKind
from tests.customers.factories import make_corporate, make_holding, make_individual, make_interaction
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_screens(page, live_server, relationship_manager, branch, branch_manager, other_relationship_manager, other_branch):
    grants = importlib.import_module("customers.migrations.0002_role_permissions").ROLE_PERMISSIONS
    permissions.permission_id.cache_clear()
    for role, codenames in grants.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="customers", codename__in=codenames))
    UserFactory(role=Role.RELATIONSHIP_MANAGER, branch=branch, username="rm.two", first_name="Mei", last_name="Lin")
    customer = make_individual(relationship_manager=relationship_manager, branch=branch, given_name="Wei", family_name="Zhang", local_name="张伟", is_vulnerable=True)
    Customer.objects.filter(pk=customer.pk).update(segment="private", segment_since=datetime.date(2026, 3, 1),
        segment_basis={"rule": 1, "version": 3, "conditions": [{"metric": "aum", "op": ">=", "value": "6000000", "figure": "7200000.00"}]})
    for i in range(3):
        make_holding(customer, balance=1000000 + i)
    for i in range(25):
        make_interaction(customer, summary=f"Discussed portfolio review number {i}", occurred_at=timezone.now() - datetime.timedelta(days=i))
    services.need_record(actor=relationship_manager, customer=customer, need_type="investment", note="Wants a balanced fund")
    for i in range(5):
        other = make_individual(relationship_manager=relationship_manager if i % 2 else other_relationship_manager, branch=branch if i % 2 else other_branch, given_name=f"Rel{i}")
        Relationship.objects.create(from_customer=other, to_customer=customer, kind=[RelationshipKind.SPOUSE, RelationshipKind.HOUSEHOLD_MEMBER, RelationshipKind.GUARANTOR, RelationshipKind.KEY_CONTACT, RelationshipKind.HOUSEHOLD_MEMBER][i])
    company = make_corporate(relationship_manager=relationship_manager, branch=branch)
    Relationship.objects.create(from_customer=customer, to_customer=company, kind=RelationshipKind.DIRECTOR, role="Chair")
    for i in range(30):
        make_individual(relationship_manager=relationship_manager, branch=branch, segment=["mass", "vip"][i % 2])
    page.set_viewport_size({"width": 1366, "height": 900})
    for user, name in (("rm.one", "rm"), ("manager.one", "bm")):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.screenshot(path=f"/tmp/h3_home_{name}.png", full_page=True)
        page.goto(f"{live_server.url}/customers/")
        page.screenshot(path=f"/tmp/h3_list_{name}.png", full_page=True)
        page.goto(f"{live_server.url}/customers/{customer.pk}/")
        page.screenshot(path=f"/tmp/h3_detail_{name}.png", full_page=True)
        if name == "bm":
            page.goto(f"{live_server.url}/customers/books/")
            page.screenshot(path="/tmp/h3_books.png", full_page=True)
            page.goto(f"{live_server.url}/customers/{customer.pk}/edit/")
            page.screenshot(path="/tmp/h3_edit_bm.png", full_page=True)
        page.context.clear_cookies()
