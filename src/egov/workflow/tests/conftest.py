"""Fixtures of the workflow tests: a small city with staff in several organizations, built through
the real audited actions, and the shipped standard_permit definition."""

from dataclasses import dataclass

import pytest
from django.utils import translation

from egov.accounts.actions import staff_user_create
from egov.orgs.actions import organization_create
from egov.orgs.models import Organization
from egov.orgs.roles import Role
from egov.workflow.actions import process_definitions_install_shipped

PASSWORD = "workflow-test-2026"


@dataclass
class City:
    government: Organization
    bureau: Organization  # handles the cases (the owner)
    planning: Organization  # joint reviewer
    environment: Organization  # joint reviewer
    users: dict


@pytest.fixture
def city(db) -> City:
    government = organization_create(actor=None, name="无锡市人民政府", kind="government", division_code="320200")
    bureau = organization_create(actor=None, name="无锡市行政审批局", kind="department", division_code="320200",
                                 parent=government)
    planning = organization_create(actor=None, name="无锡市自然资源和规划局", kind="department",
                                   division_code="320200", parent=government)
    environment = organization_create(actor=None, name="无锡市生态环境局", kind="department",
                                      division_code="320200", parent=government)
    people = [
        ("operator", government, [Role.OPERATOR]),
        ("clerk", bureau, [Role.CLERK]),
        ("clerk2", bureau, [Role.CLERK]),
        ("reviewer", bureau, [Role.REVIEWER]),
        ("approver", bureau, [Role.APPROVER]),
        ("planner", planning, [Role.REVIEWER]),
        ("planning_clerk", planning, [Role.CLERK]),
        ("ecologist", environment, [Role.REVIEWER]),
    ]
    users = {
        username: staff_user_create(actor=None, username=username, name=f"测试{username}", password=PASSWORD,
                                    organization=organization, roles=roles)
        for username, organization, roles in people
    }
    return City(government=government, bureau=bureau, planning=planning, environment=environment, users=users)


@pytest.fixture
def permit_definition(db):
    installed = {definition.key: definition for definition in process_definitions_install_shipped()}
    return installed["standard_permit"]


@pytest.fixture
def applicant(db):
    """The subject of the test cases: a registered natural person (any saved model can own a process)."""
    from egov.accounts.actions import natural_person_register

    return natural_person_register(id_number="11010519491231002X", name="张𠮷明", password=PASSWORD)


def work(instance, step: str, user, data=None):
    """Claim and complete the active task at ``step`` as ``user``; return the completed task."""
    from egov.workflow.actions import task_claim, task_complete
    from egov.workflow.selectors import instance_task_at

    task = instance_task_at(instance=instance, bpmn_id=step)
    task = task_claim(actor=user, task=task)
    return task_complete(actor=user, task=task, data=data or {})


@pytest.fixture(autouse=True)
def english_messages():
    """These tests compare messages with their English source text; pages are checked in Chinese
    through requests, which pick their own language."""
    with translation.override("en"):
        yield
