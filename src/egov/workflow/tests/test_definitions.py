"""Uploading process definitions: versions, and the refusal of definitions that try to reach Python."""

import re
from pathlib import Path

import pytest

from egov.audit.models import AuditEvent
from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.workflow.actions import process_definition_upload, process_definitions_install_shipped, shipped_process_files
from egov.workflow.models import ProcessDefinition

# The service hall's process lives with the service hall (services/processes/); workflow ships none.
SHIPPED = (Path(__file__).resolve().parents[2] / "services" / "processes" / "standard_permit.bpmn").read_text(
    encoding="utf-8")

MINIMAL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="https://egov.example/t">
  <bpmn:process id="two_step" name="两步" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="check" name="核对">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="role" value="clerk" />
        EXTRA_PROPERTY
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="gw" default="f4"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing><bpmn:outgoing>f4</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="gw" />
    <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="done">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">CONDITION</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="done" />
  </bpmn:process>
</bpmn:definitions>
"""


def minimal(condition: str = "amount &gt; 10", extra: str = "") -> str:
    return MINIMAL.replace("CONDITION", condition).replace("EXTRA_PROPERTY", extra)


@pytest.mark.django_db
def test_shipped_definition_installs_once_and_is_audited(city):
    files = [path.relative_to(Path(__file__).resolve().parents[2]).as_posix() for path in shipped_process_files()]
    assert files == ["services/processes/standard_permit.bpmn", "documents/processes/outgoing_document.bpmn"]
    installed = {definition.key: definition for definition in process_definitions_install_shipped()}
    definition = installed["standard_permit"]
    assert (definition.key, definition.version, definition.name) == ("standard_permit", 1, "行政许可标准流程")
    assert re.fullmatch(r"[0-9a-f]{64}", definition.checksum)
    assert process_definitions_install_shipped() == []
    event = AuditEvent.objects.get(action="workflow.process_definition.upload", object_id=str(definition.pk))
    assert event.changes["user_tasks"] == ["accept", "conclude", "decide", "deliver", "joint_review", "receive",
                                           "review", "supplement"]


@pytest.mark.django_db
def test_versions_count_up_and_identical_uploads_are_refused(city):
    operator = city.users["operator"]
    first = process_definition_upload(actor=operator, bpmn_xml=minimal())
    second = process_definition_upload(actor=operator, bpmn_xml=minimal("amount &gt; 20"))
    assert (first.key, first.version, second.version) == ("two_step", 1, 2)
    assert second.uploaded_by == operator
    with pytest.raises(Conflict) as refused:
        process_definition_upload(actor=operator, bpmn_xml=minimal("amount &gt; 20"))
    assert refused.value.extra == {"field": "bpmn_xml", "rule": "unchanged", "version": 2}


@pytest.mark.django_db
def test_only_platform_operators_upload(city):
    with pytest.raises(PermissionDenied):
        process_definition_upload(actor=city.users["clerk"], bpmn_xml=minimal())
    assert not ProcessDefinition.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("condition", [
    "__import__('os').system('touch /tmp/pwned')",
    "amount.__class__.__mro__[1].__subclasses__()",
    "().__class__.__bases__[0]",
    "__builtins__['eval']('1')",
    "globals()",
    "(lambda: 1)()",
    "[c for c in amount]",
    "amount.real",
])
def test_hostile_condition_is_refused_with_the_expression_named(city, condition):
    xml_condition = condition.replace("<", "&lt;").replace(">", "&gt;")
    with pytest.raises(ValidationFailed) as refused:
        process_definition_upload(actor=None, bpmn_xml=minimal(xml_condition))
    assert refused.value.extra["rule"] == "expression"
    assert refused.value.extra["expression"] == condition
    assert condition in refused.value.message
    assert not ProcessDefinition.objects.exists()


@pytest.mark.django_db
def test_hostile_organization_property_is_refused(city):
    extra = '<spiffworkflow:property name="organization" value="owner_organization.__class__" />'
    with pytest.raises(ValidationFailed) as refused:
        process_definition_upload(actor=None, bpmn_xml=minimal(extra=extra))
    assert refused.value.extra["expression"] == "owner_organization.__class__"


SCRIPT_TASK = MINIMAL.replace(
    '<bpmn:exclusiveGateway id="gw"',
    '<bpmn:scriptTask id="run"><bpmn:script>import os</bpmn:script></bpmn:scriptTask><bpmn:exclusiveGateway id="gw"')


@pytest.mark.django_db
@pytest.mark.parametrize(("bpmn", "rule", "words"), [
    (SCRIPT_TASK.replace("CONDITION", "True").replace("EXTRA_PROPERTY", ""), "element", "scriptTask"),
    (minimal(extra="</spiffworkflow:properties><spiffworkflow:preScript>import os</spiffworkflow:preScript>"
                   "<spiffworkflow:properties>"), "element", "preScript"),
    (minimal().replace('<bpmn:endEvent id="done">',
                       '<bpmn:endEvent id="done"><bpmn:terminateEventDefinition id="t" />'), "element",
     "terminateEventDefinition"),
    (minimal().replace('<spiffworkflow:property name="role" value="clerk" />', ""), "property", "role"),
    (minimal(extra='<spiffworkflow:property name="rolle" value="x" />'), "property", "rolle"),
    (minimal(extra='<spiffworkflow:property name="time_limit" value="-1" />'), "property", "time_limit"),
    (minimal(extra='<spiffworkflow:property name="decision_field" value="d" />'), "property", "decision_options"),
    (minimal(extra='<spiffworkflow:property name="decision_field" value="d" />'
                   '<spiffworkflow:property name="decision_options" value="yes:是,no:否" />'
                   '<spiffworkflow:property name="decision_options_en" value="yes:Yes,maybe:Maybe" />'),
     "property", "decision_options_en"),
    (minimal(extra='<spiffworkflow:property name="pauses_clock" value="true" />'), "property", "pauses_clock"),
    (minimal(extra='<spiffworkflow:property name="outside_case_deadline" value="yes" />'), "property",
     "outside_case_deadline"),
    (minimal().replace('isExecutable="true"', 'isExecutable="false"'), "process", "exactly one"),
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "xml", "DOCTYPE"),
    ("<bpmn:definitions", "xml", "well-formed"),
    (minimal().replace("<bpmn:incoming>f2</bpmn:incoming>", "<bpmn:incoming>f2</bpmn:incoming><bpmn:foo/>"),
     "element", "foo"),
])
def test_unsupported_definitions_are_refused(city, bpmn, rule, words):
    with pytest.raises(ValidationFailed) as refused:
        process_definition_upload(actor=None, bpmn_xml=bpmn)
    assert refused.value.extra["field"] == "bpmn_xml"
    assert refused.value.extra["rule"] == rule
    assert words in refused.value.message


@pytest.mark.django_db
def test_a_billion_laughs_file_is_refused_without_expanding(city):
    entities = "".join(f'<!ENTITY l{i} "&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "lol">{entities}]><d>&l9;</d>'
    with pytest.raises(ValidationFailed) as refused:
        process_definition_upload(actor=None, bpmn_xml=bomb)
    assert refused.value.extra["rule"] == "xml"


def test_shipped_file_has_a_diagram_for_every_flow_node():
    for element_id in re.findall(r'<bpmn:(?:userTask|exclusiveGateway|startEvent|endEvent|sequenceFlow) id="(\w+)"',
                                 SHIPPED):
        assert f'bpmnElement="{element_id}"' in SHIPPED, element_id


@pytest.mark.django_db
def test_upload_command_stores_a_version_and_refuses_hostile_files_with_exit_2(tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    good = tmp_path / "two_step.bpmn"
    good.write_text(minimal(), encoding="utf-8")
    out = StringIO()
    call_command("workflow", "upload", str(good), stdout=out)
    assert out.getvalue().strip() == "two_step v1: 两步"
    hostile = tmp_path / "hostile.bpmn"
    hostile.write_text(minimal("__import__('os').getcwd()"), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("workflow", "upload", str(hostile))
    assert refused.value.returncode == 2
    assert "__import__('os').getcwd()" in str(refused.value)
    with pytest.raises(CommandError) as missing:
        call_command("workflow", "upload", str(tmp_path / "nothing.bpmn"))
    assert missing.value.returncode == 2
    out = StringIO()
    call_command("workflow", "install", stdout=out)
    call_command("workflow", "install", stdout=out)
    assert out.getvalue().splitlines()[-3:] == ["standard_permit v1: 行政许可标准流程",
                                                "outgoing_document v1: 发文办理",
                                                "all shipped definitions are current"]
