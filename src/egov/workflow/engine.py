"""SpiffWorkflow behind one narrow door: parse and check definitions, run and store workflows.

A definition is refused at upload unless it uses only what egov can run safely and explain to
staff: none start/end events, user tasks (each with a ``role``), exclusive, parallel and
inclusive gateways, sequence flows and multi-instance user tasks. Every expression in it
(``conditionExpression``, ``completionCondition``, ``loopCardinality``, the ``organization``
property) must pass ``egov.workflow.expressions.expression_check``; script, service and
business-rule tasks, call activities, sub-processes, timers, messages and scripts in extension
elements are refused. At run time expressions go through the same restricted evaluator.

User-task extension properties (``<spiffworkflow:property name=… value=…/>``), the contract
between a definition and the inbox:

- ``role`` (required): an ``orgs.roles.Role`` value; only holders of that role in the candidate
  organization may claim and complete the task.
- ``organization``: an expression over the case data giving the candidate organization's id;
  default ``owner_organization`` (the organization handling the case, set by ``process_start``).
  In a parallel multi-instance task it names the item variable (one task per organization).
- ``time_limit``: working days for the step; the task is due that many working days after it opens.
- ``decision_field`` and ``decision_options`` (``code:label,code:label``): the answer field the
  completion must set, and its allowed codes. ``decision_options_en`` gives the same codes their
  English labels (``accept:Accept,reject:Do not accept``), as ``egov:name_en`` does for names
  (``workflow.names``); English pages show them (``core.i18n.pick``).
- ``organizations_field``: an answer field holding a list of organization ids (e.g. the joint
  reviewers); missing means an empty list.
- ``pauses_clock``: a ``ClockPause.Reason`` (``supplement``…): the case clock stops while the task
  is open.
- ``outside_case_deadline``: ``true`` for a step that comes after the decision and has its own
  statutory time (办结, 送达: 行政许可法 §44, ten days after the decision). Other steps' deadlines never
  fall after the case deadline: a step's ``time_limit`` is cut to it.
"""

import functools
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from egov.core.errors import ValidationFailed
from egov.core.i18n import pick
from egov.orgs.roles import Role
from egov.workflow.expressions import ExpressionFailed, ExpressionRefused, expression_check, expression_evaluate
from egov.workflow.models import ClockPause

MAX_BPMN_BYTES = 1_000_000
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DIAGRAM_NS = {
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
}
ALLOWED_BPMN_ELEMENTS = frozenset({
    "definitions", "process", "collaboration", "participant", "documentation", "extensionElements",
    "startEvent", "endEvent", "userTask", "exclusiveGateway", "parallelGateway", "inclusiveGateway",
    "sequenceFlow", "conditionExpression", "incoming", "outgoing",
    "multiInstanceLoopCharacteristics", "loopDataInputRef", "loopDataOutputRef", "inputDataItem",
    "outputDataItem", "completionCondition", "loopCardinality",
    "laneSet", "lane", "flowNodeRef", "textAnnotation", "text", "association", "group", "category",
    "categoryValue",
})
EXPRESSION_ELEMENTS = frozenset({"conditionExpression", "completionCondition", "loopCardinality"})
ALLOWED_SPIFF_ELEMENTS = frozenset({"properties", "property"})
PROPERTY_NAMES = frozenset({"role", "organization", "time_limit", "decision_field", "decision_options",
                            "decision_options_en", "organizations_field", "pauses_clock", "outside_case_deadline"})
RESERVED_DATA = frozenset({"owner_organization"})
MAX_TIME_LIMIT = 365
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
_CODE = re.compile(r"^[a-z0-9_]{1,40}$")


def _refuse(message: str, rule: str, **extra: Any) -> ValidationFailed:
    return ValidationFailed(message, extra={"field": "bpmn_xml", "rule": rule, **extra})


@dataclass(frozen=True)
class UserTaskSpec:
    """A user task of a definition: its BPMN id, name and checked properties."""

    bpmn_id: str
    name: str
    properties: dict[str, str]

    @property
    def decision_options(self) -> list[tuple[str, str]]:
        return decision_options(self.properties)


@dataclass(frozen=True)
class ParsedDefinition:
    """A checked definition: the executable process's key and name, SpiffWorkflow's specs, and its
    user tasks by BPMN id."""

    key: str
    name: str
    checksum: str
    spec: Any
    subprocess_specs: dict
    user_tasks: dict[str, UserTaskSpec] = field(default_factory=dict)


def _options(text: str) -> list[tuple[str, str]]:
    options = []
    for part in (text or "").split(","):
        if part.strip():
            code, _sep, label = part.partition(":")
            options.append((code.strip(), label.strip() or code.strip()))
    return options


def decision_options(properties: dict[str, str]) -> list[tuple[str, str]]:
    """``[(code, label), …]`` from a ``decision_options`` property (``accept:予以受理,reject:不予受理``),
    each label in the active language: on English pages the code's label in ``decision_options_en``
    (``accept:Accept,reject:Do not accept``) when it has one (``core.i18n.pick``)."""
    english = dict(_options(properties.get("decision_options_en", "")))
    return [(code, pick(label, english.get(code, ""))) for code, label in _options(properties.get("decision_options"))]


def definition_parse(bpmn_xml: str | bytes) -> ParsedDefinition:
    """Check a BPMN 2.0 document and parse its one executable process with SpiffWorkflow.

    Args:
        bpmn_xml: the ``.bpmn`` file's content (UTF-8), at most ``MAX_BPMN_BYTES``.

    Returns:
        The parsed definition (``key`` = the process element's id).

    Raises:
        ValidationFailed: ``extra["field"] == "bpmn_xml"``; ``extra["rule"]`` is ``size``,
            ``xml``, ``element`` (with ``element`` and ``id``), ``expression`` (with
            ``expression``: the refused text, also named in the message), ``property``, ``schema``
            or ``process``.
    """
    raw = bpmn_xml.encode("utf-8") if isinstance(bpmn_xml, str) else bytes(bpmn_xml)
    if len(raw) > MAX_BPMN_BYTES:
        raise _refuse(_("The file is larger than %(n)d bytes.") % {"n": MAX_BPMN_BYTES}, "size")
    return _definition_parse(raw)


@functools.lru_cache(maxsize=64)
def _definition_parse(raw: bytes) -> ParsedDefinition:
    # Every case start parses its stored definition; a definition version never changes, so each
    # process parses each text once (a refused text raises and is not kept). SpiffWorkflow only
    # reads a spec when it builds and runs workflows from it.
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise _refuse(_("A BPMN file must not contain a DOCTYPE or entities."), "xml")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        raise _refuse(_("The file is not well-formed XML: %(error)s") % {"error": exc}, "xml") from None
    _check_elements(root)
    user_tasks = _check_user_tasks(root)
    spiff = SpiffBpmnParser(validator=VALIDATOR)
    try:
        spiff.add_bpmn_xml(root, filename="definition.bpmn")
        process_ids = spiff.get_process_ids()
        if len(process_ids) != 1:
            raise _refuse(_("A definition must contain exactly one executable process (isExecutable=\"true\"); "
                            "this one has %(n)d.") % {"n": len(process_ids)}, "process")
        key = process_ids[0]
        spec = spiff.get_spec(key)
        subprocess_specs = spiff.get_subprocess_specs(key)
    except ValidationException as exc:
        raise _refuse(_("The BPMN file is not valid: %(error)s") % {"error": exc}, "schema") from None
    except SpiffWorkflowException as exc:
        raise _refuse(_("The BPMN file cannot be run: %(error)s") % {"error": exc}, "schema") from None
    if not _IDENTIFIER.match(key):
        raise _refuse(_("The process id %(key)s must be letters, digits and _ (at most 63).") % {"key": key},
                      "process")
    name = spec.description or key
    return ParsedDefinition(key=key, name=name, checksum=hashlib.sha256(raw).hexdigest(), spec=spec,
                            subprocess_specs=subprocess_specs, user_tasks=user_tasks)


def _check_elements(root) -> None:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        qname = etree.QName(element)
        if qname.namespace == BPMN_NS:
            if qname.localname not in ALLOWED_BPMN_ELEMENTS:
                raise _refuse(
                    _("The element %(element)s (id %(id)s) is not allowed: egov runs user tasks, gateways and "
                      "plain start and end events only.") % {"element": qname.localname, "id": element.get("id", "-")},
                    "element", element=qname.localname, id=element.get("id", ""))
            if qname.localname in EXPRESSION_ELEMENTS:
                _check_expression(element.text or "", where=qname.localname)
        elif qname.namespace == SPIFF_NS:
            if qname.localname not in ALLOWED_SPIFF_ELEMENTS:
                raise _refuse(_("The extension element %(element)s is not allowed (scripts and services cannot run "
                                "here).") % {"element": qname.localname}, "element", element=qname.localname, id="")
        elif qname.namespace not in DIAGRAM_NS:
            raise _refuse(_("Elements of the namespace %(ns)s are not supported.") % {"ns": qname.namespace},
                          "element", element=qname.localname, id=element.get("id", ""))


def _check_expression(text: str, *, where: str) -> None:
    try:
        expression_check(text)
    except ExpressionRefused as exc:
        raise _refuse(_("The expression «%(expression)s» in %(where)s is refused: %(reason)s.")
                      % {"expression": exc.expression, "where": where, "reason": exc.reason},
                      "expression", expression=exc.expression) from None


def _check_user_tasks(root) -> dict[str, UserTaskSpec]:
    tasks = {}
    for node in root.iter(f"{{{BPMN_NS}}}userTask"):
        bpmn_id, name = node.get("id", ""), node.get("name") or node.get("id", "")
        properties = {prop.get("name", ""): prop.get("value", "") for prop in node.iter(f"{{{SPIFF_NS}}}property")}
        unknown = sorted(set(properties) - PROPERTY_NAMES)
        if unknown:
            raise _refuse(_("Step %(step)s has an unknown property %(name)s.") % {"step": name, "name": unknown[0]},
                          "property", id=bpmn_id, property=unknown[0])
        if properties.get("role") not in Role.values:
            raise _refuse(_("Step %(step)s needs a role property, one of: %(roles)s.")
                          % {"step": name, "roles": ", ".join(Role.values)}, "property", id=bpmn_id, property="role")
        if "organization" in properties:
            _check_expression(properties["organization"], where=f"{name} organization")
        limit = properties.get("time_limit")
        if limit is not None and (not limit.isdigit() or int(limit) > MAX_TIME_LIMIT):
            raise _refuse(_("Step %(step)s: time_limit must be a number of working days from 0 to %(max)d.")
                          % {"step": name, "max": MAX_TIME_LIMIT}, "property", id=bpmn_id, property="time_limit")
        for key in ("decision_field", "organizations_field"):
            value = properties.get(key)
            if value is not None and (not _IDENTIFIER.match(value) or value in RESERVED_DATA):
                raise _refuse(_("Step %(step)s: %(name)s must be a data name (letters, digits, _).")
                              % {"step": name, "name": key}, "property", id=bpmn_id, property=key)
        options = _options(properties.get("decision_options", ""))
        if ("decision_field" in properties) != bool(options) or any(not _CODE.match(code) for code, _l in options):
            raise _refuse(_("Step %(step)s: decision_field and decision_options (code:label, codes in a-z 0-9 _) "
                            "go together.") % {"step": name}, "property", id=bpmn_id, property="decision_options")
        english = _options(properties.get("decision_options_en", ""))
        if "decision_options_en" in properties and [code for code, _l in english] != [code for code, _l in options]:
            raise _refuse(_("Step %(step)s: decision_options_en gives English labels to the codes of "
                            "decision_options, the same codes in the same order.") % {"step": name},
                          "property", id=bpmn_id, property="decision_options_en")
        if properties.get("outside_case_deadline", "false") not in ("true", "false"):
            raise _refuse(_("Step %(step)s: outside_case_deadline is true or false.") % {"step": name},
                          "property", id=bpmn_id, property="outside_case_deadline")
        pause = properties.get("pauses_clock")
        if pause is not None and pause not in ClockPause.Reason.values:
            raise _refuse(_("Step %(step)s: pauses_clock must be one of %(reasons)s.")
                          % {"step": name, "reasons": ", ".join(ClockPause.Reason.values)},
                          "property", id=bpmn_id, property="pauses_clock")
        tasks[bpmn_id] = UserTaskSpec(bpmn_id=bpmn_id, name=name, properties=properties)
    return tasks


class _RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Conditions go through ``expressions.expression_evaluate``; scripts never run."""

    def evaluate(self, expression, context, external_context=None):
        return expression_evaluate(expression, {**(external_context or {}), **context})

    def execute(self, script, context, external_context=None):
        raise ExpressionRefused(script, "scripts are not allowed")

    def call_service(self, context, **kwargs):
        raise ExpressionRefused(str(kwargs.get("operation_name", "")), "service calls are not allowed")


SCRIPT_ENGINE = PythonScriptEngine(environment=_RestrictedEnvironment())
_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


class EngineError(Exception):
    """The workflow could not move on with this data (a condition failed to evaluate, no path matched)."""


def workflow_new(parsed: ParsedDefinition, data: dict[str, Any]) -> BpmnWorkflow:
    """A new workflow of ``parsed`` whose start event carries ``data``, run up to its first waits."""
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=SCRIPT_ENGINE)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    _run_engine(workflow)
    return workflow


def workflow_load(state: str) -> BpmnWorkflow:
    """Restore a workflow stored with ``workflow_dump`` (migrating an older serializer version)."""
    workflow = _SERIALIZER.deserialize_json(state)
    workflow.script_engine = SCRIPT_ENGINE
    return workflow


def workflow_dump(workflow: BpmnWorkflow) -> str:
    """The serialized state of ``workflow`` as JSON text (its specs included)."""
    return _SERIALIZER.serialize_json(workflow)


def workflow_complete_task(workflow: BpmnWorkflow, task, data: dict[str, Any]) -> None:
    """Put ``data`` into the ready user ``task``, complete it and run the engine to the next waits.

    Raises:
        EngineError: a condition could not be evaluated, or no outgoing flow's condition held.
    """
    task.data.update(data)
    try:
        task.run()
    except SpiffWorkflowException as exc:
        raise EngineError(str(exc)) from None
    _run_engine(workflow)


def _run_engine(workflow: BpmnWorkflow) -> None:
    try:
        workflow.do_engine_steps()
    except (SpiffWorkflowException, ExpressionFailed, ExpressionRefused) as exc:
        raise EngineError(str(exc)) from None


def ready_user_tasks(workflow: BpmnWorkflow) -> list:
    """The user tasks waiting for people, in SpiffWorkflow's order."""
    return workflow.get_tasks(state=TaskState.READY, manual=True)


def task_properties(task) -> dict[str, str]:
    """The ``spiffworkflow:property`` values of a SpiffWorkflow task's spec."""
    return dict((getattr(task.task_spec, "extensions", None) or {}).get("properties", {}))


def workflow_outcome(workflow: BpmnWorkflow) -> str:
    """The BPMN id of the end event a completed workflow reached ("" when none)."""
    for task in workflow.get_tasks(state=TaskState.COMPLETED):
        if isinstance(task.task_spec, EndEvent) and task.task_spec.bpmn_id:
            return task.task_spec.bpmn_id
    return ""


def bound_by_case_deadline(properties: dict[str, str]) -> bool:
    """Whether a step's deadline is cut to the case deadline: not for a step that stops the case
    clock (the applicant's 补正) nor for one marked ``outside_case_deadline``."""
    return not properties.get("pauses_clock") and properties.get("outside_case_deadline") != "true"
