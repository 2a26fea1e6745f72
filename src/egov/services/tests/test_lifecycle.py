"""The transition table of applications: every move from every status it does not allow is refused
with the status named; the allowed ones lead where GLOSSARY's statuses say."""

import pytest
from django.utils import translation

from egov.core.errors import Conflict
from egov.services.actions.lifecycle import MOVES, move_target
from egov.services.models import Application
from egov.services.models import ApplicationStatus as S

# The table as GLOSSARY.md and 行政许可法 describe it, written out independently of MOVES.
EXPECTED = {
    "receive": ({S.SUBMITTED}, S.RECEIVED),
    "accept": ({S.RECEIVED}, S.ACCEPTED),
    "refuse": ({S.RECEIVED}, S.NOT_ACCEPTED),
    "credit_decision": ({S.RECEIVED}, S.RECEIVED),  # a timeline line of the clerk's decision on a listing
    "request_supplement": ({S.RECEIVED}, S.SUPPLEMENT),
    "supplement_upload": ({S.SUPPLEMENT}, S.SUPPLIED),
    "supplement_receive": ({S.SUPPLIED}, S.RECEIVED),
    "review": ({S.ACCEPTED}, S.REVIEWED),
    "review_joint": ({S.ACCEPTED}, S.JOINT_REVIEW),
    "joint_opinion": ({S.JOINT_REVIEW}, S.JOINT_REVIEW),
    "joint_review_complete": ({S.JOINT_REVIEW}, S.REVIEWED),
    "special_procedure_start": ({S.ACCEPTED, S.JOINT_REVIEW, S.REVIEWED}, S.SPECIAL_PROCEDURE),
    "approve": ({S.REVIEWED}, S.APPROVED),
    "deny": ({S.REVIEWED}, S.DENIED),
    "conclude": ({S.APPROVED, S.DENIED}, S.CONCLUDED),
    "deliver": ({S.CONCLUDED}, S.DELIVERED),
    "withdraw": ({S.SUBMITTED, S.RECEIVED, S.SUPPLEMENT, S.SUPPLIED, S.ACCEPTED, S.JOINT_REVIEW,
                  S.SPECIAL_PROCEDURE, S.REVIEWED}, S.WITHDRAWN),
}


def test_the_table_is_the_expected_one():
    assert set(MOVES) == set(EXPECTED) | {"special_procedure_end"}
    for move, (allowed, target) in EXPECTED.items():
        assert set(MOVES[move][0]) == allowed and MOVES[move][1] == target, move


@pytest.mark.parametrize("move", sorted(MOVES))
def test_every_illegal_move_is_refused_naming_the_status(move):
    allowed = MOVES[move][0]
    with translation.override("zh-hans"):
        for status in S:
            case = Application(status=status, special_resume_status=S.REVIEWED)
            if status in allowed:
                continue
            with pytest.raises(Conflict) as raised:
                move_target(case, move)
            repeated = MOVES[move][1] == status  # the case is already where the move leads
            assert raised.value.extra == {"state": status.value, "move": move, **({"rule": "done"} if repeated else {})}
            assert str(status.label) in raised.value.message


def test_a_repeated_step_says_it_has_been_done():
    with translation.override("zh-hans"):
        with pytest.raises(Conflict) as raised:
            move_target(Application(status=S.ACCEPTED), "accept")
    assert raised.value.message == "此步骤已办理：办件当前状态为“已受理”。"


def test_the_ends_allow_no_move():
    for status in (S.NOT_ACCEPTED, S.DELIVERED, S.WITHDRAWN):
        assert not [move for move, (allowed, _target) in MOVES.items() if status in allowed]


def test_a_special_procedure_ends_where_it_began():
    for status in (S.ACCEPTED, S.JOINT_REVIEW, S.REVIEWED):
        case = Application(status=S.SPECIAL_PROCEDURE, special_resume_status=status)
        assert move_target(case, "special_procedure_end") == status


def test_deciding_a_case_not_yet_accepted_names_its_status_in_chinese():
    with translation.override("zh-hans"):
        with pytest.raises(Conflict) as raised:
            move_target(Application(status=S.RECEIVED), "approve")
    assert "已接件" in raised.value.message
