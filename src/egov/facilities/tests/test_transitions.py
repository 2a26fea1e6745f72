"""The one way a state changes, on a real table of the platform (依申请公开 requests) and on a table
declared by (from, to) pairs."""

import pytest
from django.utils.translation import gettext_lazy

from egov.audit.models import AuditEvent
from egov.core.errors import Conflict
from egov.facilities import transitions
from egov.facilities.transitions import Machine
from egov.orgs.models import Organization

# A toy table over an organization's ``kind`` field (government → department → district), enough to
# exercise the machinery without an owner app's rules.
K = Organization.Kind
TOY = Machine(kind="test.organization", state_field="kind", moves={
    "demote": (frozenset({K.GOVERNMENT}), K.DEPARTMENT),
    "move_out": (frozenset({K.DEPARTMENT}), K.DISTRICT),
}, refused=gettext_lazy("The organization is %(state)s; “%(move)s” is not possible at this stage."),
    labels={"demote": "demote"}, done="It is %(state)s already.")


@pytest.fixture
def government(city):
    return transitions.locked(city)


def test_a_move_saves_writes_the_timeline_audits_and_notifies(government):
    calls = []
    moved = transitions.transition_apply(
        machine=TOY, obj=government, move="demote", actor=None, label="无锡市人民政府", changes={"why": "test"},
        timeline=lambda before, target: calls.append(("timeline", before, target)) or "row",
        notify=lambda before, target, row: calls.append(("notify", row)))
    assert Organization.objects.get(pk=moved.pk).kind == K.DEPARTMENT
    assert calls == [("timeline", K.GOVERNMENT, K.DEPARTMENT), ("notify", "row")]
    event = AuditEvent.objects.get(action="test.organization.demote")
    assert event.summary == "无锡市人民政府 demote: government → department"
    assert event.changes == {"kind": ["government", "department"], "why": "test"}


def test_an_illegal_move_names_the_state_and_the_move(government):
    with pytest.raises(Conflict) as raised:
        transitions.transition_apply(machine=TOY, obj=government, move="move_out", actor=None)
    assert raised.value.extra == {"state": "government", "move": "move_out"}
    assert "move_out" in raised.value.message
    assert not AuditEvent.objects.filter(action__startswith="test.").exists()


def test_a_repeated_step_says_it_was_done(government):
    transitions.transition_apply(machine=TOY, obj=government, move="demote", actor=None)
    with pytest.raises(Conflict) as raised:
        transitions.transition_apply(machine=TOY, obj=government, move="demote", actor=None)
    assert raised.value.extra["rule"] == "done"


PAIRS = Machine.from_pairs(kind="test.organization", state_field="kind", pairs={
    (K.GOVERNMENT, K.DEPARTMENT): "demote", (K.DISTRICT, K.DEPARTMENT): "demote",
    (K.DEPARTMENT, K.DISTRICT): "move_out",
}, refused=gettext_lazy("An organization of kind %(status)s cannot become %(target)s."))


def test_a_table_of_pairs_finds_the_move_by_its_target(government):
    assert transitions.move_between(machine=PAIRS, obj=government, target=K.DEPARTMENT) == ("demote", "demote")
    with pytest.raises(Conflict) as raised:
        transitions.move_between(machine=PAIRS, obj=government, target=K.DISTRICT)
    assert raised.value.extra == {"status": "government", "target": "district"}


def test_one_name_leads_to_one_state():
    with pytest.raises(ValueError):
        Machine.from_pairs(kind="x", pairs={("a", "b"): "go", ("b", "c"): "go"}, refused="")
