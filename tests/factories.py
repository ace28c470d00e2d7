"""factory_boy factories shared by the whole suite."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from crm.models import Branch, StaffProfile

PASSWORD = "Correct-Horse-42!"
_PASSWORD_HASH = make_password(PASSWORD)  # hashing once keeps the suite fast


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"B{n:03d}")
    name = factory.Sequence(lambda n: f"Branch {n}")
    region = "East China"


class UserFactory(factory.django.DjangoModelFactory):
    """A member of staff with a profile. `role` (a Role or its value) and `branch` are optional."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@bank.example")
    password = _PASSWORD_HASH
    role = None
    branch = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        role = kwargs.pop("role", None)
        branch = kwargs.pop("branch", None)
        user = super()._create(model_class, *args, **kwargs)
        StaffProfile.objects.get_or_create(
            user=user,
            defaults={"branch": branch, "employee_number": f"T{user.pk:06d}"},
        )
        if role is not None:
            group, _ = Group.objects.get_or_create(name=getattr(role, "value", role))
            user.groups.add(group)
        return user
