"""The intake modules depend one way: the tasks call the services, never the reverse."""

from __future__ import annotations

import itertools

import grimp
import pytest

from crm.celery import app as celery_app
from customers.intake import dispatch, tasks

INTAKE = "customers.intake"


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("customers", "compliance", "crm")


def test_no_intake_module_but_the_urls_and_views_reaches_the_tasks(graph):
    for module in sorted(graph.find_children(INTAKE)):
        if module in (f"{INTAKE}.tasks", f"{INTAKE}.urls", f"{INTAKE}.views"):
            continue
        assert graph.find_shortest_chain(importer=module, imported=f"{INTAKE}.tasks") is None, module


def test_no_two_intake_modules_import_each_other(graph):
    modules = sorted(graph.find_children(INTAKE))
    for first, second in itertools.combinations(modules, 2):
        there = graph.find_shortest_chain(importer=first, imported=second)
        back = graph.find_shortest_chain(importer=second, imported=first)
        assert there is None or back is None, (there, back)


def test_the_tasks_keep_their_registered_names():
    assert tasks.validate_import.name == dispatch.VALIDATE_IMPORT == "customers.import_tasks.validate_import"
    assert tasks.apply_import.name == dispatch.APPLY_IMPORT == "customers.import_tasks.apply_import"
    for name in (dispatch.VALIDATE_IMPORT, dispatch.APPLY_IMPORT):
        assert celery_app.tasks[name].acks_late is True
