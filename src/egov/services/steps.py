"""The one vocabulary of a case's steps (办件): which staff step completes which BPMN step with which
answer, who may take it and what it is called.

``CASE_STEPS`` names each step of the staff case page (``receive``, ``accept``, ``refuse``, …) with
the status moves it makes (``lifecycle.MOVES``), the roles it needs in the implementing
organization and its title. ``TASK_ANSWERS`` is the table from (BPMN step of
``services/processes/standard_permit.bpmn``, answer) to the step that carries it out, with the
fixed arguments the answer stands for. Everything that completes a case's step reads these two
tables: the case page (``views_casework``), the staff task API and task page (through
``processing.case_task_complete``) and ``processing`` itself, which sends each BPMN task the answer
found here (``task_answer_for``), as ``documents/process.py`` does for 公文.

| BPMN step      | answer                          | staff step              | action (``processing``)               |
|----------------|---------------------------------|-------------------------|---------------------------------------|
| ``receive``    | —                               | ``receive``             | ``application_receive``               |
| ``accept``     | ``accept_decision=accept``      | ``accept``              | ``application_accept``                |
| ``accept``     | ``accept_decision=reject``      | ``refuse``              | ``application_refuse``                |
| ``accept``     | ``accept_decision=supplement``  | ``request_supplement``  | ``application_supplement_request``    |
| ``supplement`` | —                               | ``supplement_receive``  | ``application_supplement_receive``    |
| ``review``     | ``joint_reviewers`` (ids)       | ``review``              | ``application_review``                |
| ``joint_review`` | ``joint_opinion=agree/disagree`` | ``joint_opinion``     | ``application_joint_opinion``         |
| ``decide``     | ``decision=approve/deny``       | ``decide``              | ``application_decide``                |
| ``conclude``   | —                               | ``conclude``            | ``application_conclude``              |
| ``deliver``    | —                               | ``deliver``             | ``application_deliver``               |

The special procedures (特别程序, 行政许可法 §45) stop the case clock without a BPMN step of their own.
``credit_decide`` (an applicant on a black list, ``sanctions``) completes the ``accept`` step by
``application_accept`` with the clerk's reasons or ``application_refuse`` under the listing's measures.
"""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.core.errors import ValidationFailed
from egov.orgs.roles import Role


@dataclass(frozen=True)
class CaseStep:
    """A step of the staff case page: the status ``moves`` it may make (one must be allowed from the
    case's status for the step to be offered), the ``roles`` of which the actor needs one in the
    implementing organization, and its ``title``; ``text`` names the argument of its action that
    the free-text ``opinion`` of a task answer fills (``""``: none)."""

    name: str
    moves: tuple[str, ...]
    roles: tuple[Role, ...]
    title: Any
    text: str = ""


CASE_STEPS: dict[str, CaseStep] = {step.name: step for step in (
    CaseStep("receive", ("receive",), (Role.CLERK,), gettext_lazy("Receive (接件)")),
    CaseStep("accept", ("accept",), (Role.CLERK,), gettext_lazy("Accept (受理)"), text="opinion"),
    CaseStep("request_supplement", ("request_supplement",), (Role.CLERK,),
             gettext_lazy("Request supplementary materials (补正, once)"), text="note"),
    CaseStep("refuse", ("refuse",), (Role.CLERK,), gettext_lazy("Do not accept (不予受理)"), text="reasons"),
    # In place of ``accept`` on the case page when the applicant is on a black list (``sanctions``).
    CaseStep("credit_decide", ("accept", "refuse"), (Role.CLERK,),
             gettext_lazy("Decide on the credit listing")),
    CaseStep("supplement_receive", ("supplement_receive",), (Role.CLERK,),
             gettext_lazy("Take the supplementary materials in")),
    CaseStep("review", ("review", "review_joint"), (Role.REVIEWER,), gettext_lazy("Review (审查)"), text="opinion"),
    CaseStep("joint_opinion", ("joint_opinion", "joint_review_complete"), (Role.REVIEWER,),
             gettext_lazy("Joint review opinion (并联审查)"), text="opinion"),
    CaseStep("special_procedure_start", ("special_procedure_start",), (Role.REVIEWER, Role.APPROVER),
             gettext_lazy("Start a special procedure (特别程序)")),
    CaseStep("special_procedure_end", ("special_procedure_end",), (Role.REVIEWER, Role.APPROVER),
             gettext_lazy("End the special procedure")),
    CaseStep("decide", ("approve", "deny"), (Role.APPROVER,), gettext_lazy("Decide (决定)"), text="reasons"),
    CaseStep("conclude", ("conclude",), (Role.CLERK,), gettext_lazy("Conclude (办结)")),
    CaseStep("deliver", ("deliver",), (Role.CLERK,), gettext_lazy("Deliver (送达)")),
)}


@dataclass(frozen=True)
class TaskAnswer:
    """One row of ``TASK_ANSWERS``: completing BPMN step ``bpmn_id`` with ``answer`` (the decision
    field and its value; empty for a step without decision) is the staff ``step`` called with the
    fixed ``args``."""

    bpmn_id: str
    answer: dict[str, str]
    step: str
    args: dict[str, Any] = field(default_factory=dict)


TASK_ANSWERS: tuple[TaskAnswer, ...] = (
    TaskAnswer("receive", {}, "receive"),
    TaskAnswer("accept", {"accept_decision": "accept"}, "accept"),
    TaskAnswer("accept", {"accept_decision": "reject"}, "refuse"),
    TaskAnswer("accept", {"accept_decision": "supplement"}, "request_supplement"),
    TaskAnswer("supplement", {}, "supplement_receive"),
    TaskAnswer("review", {}, "review"),
    TaskAnswer("joint_review", {"joint_opinion": "agree"}, "joint_opinion", {"agree": True}),
    TaskAnswer("joint_review", {"joint_opinion": "disagree"}, "joint_opinion", {"agree": False}),
    TaskAnswer("decide", {"decision": "approve"}, "decide", {"approve": True}),
    TaskAnswer("decide", {"decision": "deny"}, "decide", {"approve": False}),
    TaskAnswer("conclude", {}, "conclude"),
    TaskAnswer("deliver", {}, "deliver"),
)


def task_answer_for(step: str, **args: Any) -> TaskAnswer:
    """The row of ``TASK_ANSWERS`` for staff ``step`` with ``args`` (e.g. ``("decide", approve=False)``
    → BPMN ``decide`` with ``decision=deny``). A programming error (KeyError) when there is none."""
    for row in TASK_ANSWERS:
        if row.step == step and all(args.get(key) == value for key, value in row.args.items()):
            return row
    raise KeyError((step, args))


def task_answer_of(bpmn_id: str, data: dict[str, Any]) -> TaskAnswer:
    """The row of ``TASK_ANSWERS`` that completing BPMN step ``bpmn_id`` with ``data`` means.

    Raises:
        ValidationFailed: the step is not one of a case (``rule = "unknown"``), or ``data`` gives
            none of the step's answers (``rule = "choice"``, naming the field and its options).
    """
    rows = [row for row in TASK_ANSWERS if row.bpmn_id == bpmn_id]
    if not rows:
        raise ValidationFailed(_("This step cannot be completed here."), extra={"field": "step", "rule": "unknown"})
    for row in rows:
        if all(data.get(key) == value for key, value in row.answer.items()):
            return row
    name = next(iter(rows[0].answer))
    options = [row.answer[name] for row in rows]
    raise ValidationFailed(_("Choose one of: %(options)s.") % {"options": ", ".join(options)},
                           extra={"field": f"data.{name}", "rule": "choice", "options": options})
