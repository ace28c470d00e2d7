"""The demo bank loads deterministically and can be loaded twice."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from crm.demo import DEMO_ACCOUNTS, demo_password
from crm.models import Branch, StaffProfile
from crm.roles import Role, primary_role

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_branches_and_one_account_per_role():
    call_command("seed_demo", customers=0)

    User = get_user_model()
    assert Branch.objects.count() == 10
    roles = {primary_role(User.objects.get(username=account.username)) for account in DEMO_ACCOUNTS}
    assert roles == {role.value for role in Role}
    rms_in_sh01 = User.objects.filter(
        groups__name=Role.RELATIONSHIP_MANAGER, staff_profile__branch__code="SH01")
    assert rms_in_sh01.count() == 2
    assert User.objects.get(username="rm.chen").check_password(demo_password())
    assert Branch.objects.get(code="SH01").parent.parent.code == "HQ"


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", customers=0)
    call_command("seed_demo", customers=0)

    assert Branch.objects.count() == 10
    assert StaffProfile.objects.count() == len(DEMO_ACCOUNTS)


def test_if_empty_skips_a_loaded_database(capsys):
    call_command("seed_demo", customers=0)
    call_command("seed_demo", "--if-empty", customers=0)

    assert "already loaded" in capsys.readouterr().out


def test_seed_demo_is_refused_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", customers=0)
    assert Branch.objects.count() == 0
