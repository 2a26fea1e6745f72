"""The one vocabulary of a case's steps (``services.steps``) against the service hall's BPMN file:
every user task and each of its answers has exactly one staff step, and back."""

from pathlib import Path

import pytest

from egov.core.errors import ValidationFailed
from egov.services.steps import CASE_STEPS, TASK_ANSWERS, task_answer_for, task_answer_of
from egov.workflow.engine import definition_parse

BPMN = Path(__file__).resolve().parents[1] / "processes" / "standard_permit.bpmn"


def test_every_step_and_answer_of_the_process_has_one_row():
    tasks = definition_parse(BPMN.read_bytes()).user_tasks
    expected = set()
    for bpmn_id, spec in tasks.items():
        field = spec.properties.get("decision_field")
        codes = [code for code, _label in spec.decision_options] if field else [None]
        expected.update((bpmn_id, field, code) for code in codes)
    rows = {(row.bpmn_id, *(next(iter(row.answer.items())) if row.answer else (None, None))) for row in TASK_ANSWERS}
    assert rows == expected
    assert len(rows) == len(TASK_ANSWERS)  # no answer twice
    assert {row.step for row in TASK_ANSWERS} <= set(CASE_STEPS)


@pytest.mark.parametrize(("step", "args", "bpmn_id", "answer"), [
    ("accept", {}, "accept", {"accept_decision": "accept"}),
    ("refuse", {}, "accept", {"accept_decision": "reject"}),
    ("request_supplement", {}, "accept", {"accept_decision": "supplement"}),
    ("supplement_receive", {}, "supplement", {}),
    ("joint_opinion", {"agree": False}, "joint_review", {"joint_opinion": "disagree"}),
    ("decide", {"approve": True}, "decide", {"decision": "approve"}),
    ("decide", {"approve": False}, "decide", {"decision": "deny"}),
])
def test_a_step_sends_its_answer_and_the_answer_means_the_step(step, args, bpmn_id, answer):
    row = task_answer_for(step, **args)
    assert (row.bpmn_id, row.answer) == (bpmn_id, answer)
    assert task_answer_of(bpmn_id, {**answer, "opinion": "x"}) == row


def test_an_answer_the_step_does_not_have_is_refused_naming_the_options():
    with pytest.raises(ValidationFailed) as refused:
        task_answer_of("decide", {"decision": "maybe"})
    assert refused.value.extra == {"field": "data.decision", "rule": "choice", "options": ["approve", "deny"]}
    with pytest.raises(ValidationFailed) as unknown:
        task_answer_of("draft", {})
    assert unknown.value.extra == {"field": "step", "rule": "unknown"}
