"""Fixtures of the intake tests."""

import pytest


@pytest.fixture
def manager_rm(relationship_manager):
    """The relationship manager the fixture files name by employee number RM0001."""
    profile = relationship_manager.staff_profile
    profile.employee_number = "RM0001"
    profile.save(update_fields=["employee_number"])
    return relationship_manager
