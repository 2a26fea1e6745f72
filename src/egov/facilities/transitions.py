"""State changes: one declarative table of moves per object kind and one function that makes a move.

An owner app declares its object kind's ``Machine`` (the moves, each from the states it may start
from to the state it leads to; the messages; where a paused object remembers the state to go back
to) and changes the state only through ``transition_apply``, which checks the move, saves, writes
the timeline line, audits and notifies, in the caller's transaction, on a row the caller locked with
``locked`` (the owner checks permissions and its own rules on the locked row first).

An illegal move raises ``Conflict`` naming the state and the move, and a repeated step (the object
is already where the move leads: a double click, two staff on one step) says so plainly.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model

from egov.audit.actions import audit_record
from egov.core.errors import Conflict


@dataclass(frozen=True)
class Machine:
    """The moves of one object kind.

    Attributes:
        kind: the audit name of the kind, e.g. ``services.application``; a move's audit action is
            ``<kind>.<move>``.
        moves: move → (states it may start from, state it leads to); a target of None means "back
            to the state kept in ``resume_field``" (the end of a pause).
        refused: the translated (lazy) message of an illegal move, with ``%(state)s`` (the state's
            label) and ``%(move)s`` (the move's label).
        labels: move → lazy label, read by people (timeline, messages); the move's name otherwise.
        done: the message when the object already is where the move leads, with ``%(state)s``;
            empty: ``refused`` is used.
        state_field: the model field holding the state (its choices give the labels).
        resume_field: the field where a pausing move keeps the state to return to.
        pausing: the moves that keep the state they start from in ``resume_field``.
    """

    kind: str
    moves: Mapping[str, tuple[Any, Any]]
    refused: Any
    labels: Mapping[str, Any] = field(default_factory=dict)
    done: Any = ""
    state_field: str = "status"
    resume_field: str = ""
    pausing: frozenset = frozenset()

    @classmethod
    def from_pairs(cls, *, kind: str, pairs: Mapping[tuple[str, str], Any], refused: Any, **options) -> "Machine":
        """A machine declared as ``{(from, to): move}``, for object kinds whose steps are asked for by
        the state they lead to (a 公文's 送核稿 is "to ``reviewing``"). ``move`` is the move's name, or
        an object with ``name`` carrying what the owner needs per pair (the role that makes it);
        ``move_between`` finds it. ``refused`` names ``%(status)s`` and ``%(target)s`` (their labels).
        Moves of one name keep one target; their sources map each start state to its ``move``."""
        moves: dict[str, tuple[dict, Any]] = {}
        for (source, target), move in pairs.items():
            name = getattr(move, "name", move)
            sources, known = moves.setdefault(name, ({}, target))
            if known != target:
                raise ValueError(f"{kind}: the move {name} leads to {known} and to {target}")
            sources[source] = move
        return cls(kind=kind, moves=moves, refused=refused, **options)

    def label(self, move: str) -> Any:
        """The move's label for people (its name when it has none)."""
        return self.labels.get(move, move)


def _state_label(obj: Model, state_field: str) -> str:
    return str(getattr(obj, f"get_{state_field}_display")())


def move_between(*, machine: Machine, obj: Model, target: str) -> tuple[str, Any]:
    """The move that leads ``obj`` from its state to ``target``, as ``(name, what the table holds for
    this start state)`` (a ``from_pairs`` machine).

    Raises:
        Conflict: no move leads there from the object's state: ``machine.refused`` with the two
            states' labels, ``extra = {"status": <state>, "target": target}``.
    """
    state = getattr(obj, machine.state_field)
    for name, (sources, to) in machine.moves.items():
        if to == target and state in sources:
            return name, sources[state] if isinstance(sources, Mapping) else name
    choices = dict(type(obj)._meta.get_field(machine.state_field).flatchoices)
    raise Conflict(machine.refused % {"status": _state_label(obj, machine.state_field),
                                      "target": choices.get(target, target)},
                   extra={"status": state, "target": target})


def move_target(*, machine: Machine, obj: Model, move: str) -> Any:
    """The state ``move`` leads ``obj`` to, without changing anything (an owner's pre-check).

    Raises:
        Conflict: the move is not allowed from the object's state; ``extra = {"state", "move"}``,
            with ``rule = "done"`` when the object already is where the move leads.
        KeyError: ``move`` is not in the table (a programming error).
    """
    allowed, target = machine.moves[move]
    state = getattr(obj, machine.state_field)
    if state in allowed:
        return getattr(obj, machine.resume_field) if target is None else target
    if machine.done and target is not None and state == target:
        raise Conflict(machine.done % {"state": _state_label(obj, machine.state_field)},
                       extra={"state": state, "move": move, "rule": "done"})
    raise Conflict(machine.refused % {"state": _state_label(obj, machine.state_field),
                                      "move": machine.label(move)},
                   extra={"state": state, "move": move})


def locked(obj: Model, *related: str) -> Model:
    """The object's row again, locked until the transaction ends (moves on one object run one at a
    time), with ``related`` fetched along (``select_related``)."""
    rows = type(obj).objects.select_for_update(of=("self",)) if related else type(obj).objects.select_for_update()
    return rows.select_related(*related).get(pk=obj.pk)


def transition_apply(*, machine: Machine, obj: Model, move: str, actor, organization=None, label: str = "",
                     summary: str = "", changes: dict[str, Any] | None = None,
                     fields: tuple[str, ...] | None = (),
                     timeline: Callable[[Any, Any], Any] | None = None,
                     notify: Callable[[Any, Any, Any], None] | None = None) -> Model:
    """Make ``move`` on ``obj`` (as returned by ``locked`` in this transaction).

    Checks the move (``move_target``), keeps or clears the state to resume (pausing moves keep the
    state they start from; a return to it clears it), saves the state with ``fields`` (other fields
    the caller changed), writes the timeline line (``timeline(before, target)``, returning the row),
    records the audit event ``<kind>.<move>`` and notifies (``notify(before, target, row)``, after
    everything else, in the same transaction: the e-mails go after commit).

    Args:
        actor: who moves it (audited); the platform's own moves name it so (``egov.core.actors``).
        organization: on whose behalf a staff member acted (audited).
        label: how the audit summary names the object (its number); ``str(obj)`` otherwise.
        summary: the audit summary in someone's words (a 公文's comment), instead of the move's
            name and states; cut at 500 characters.
        changes: more to record in the audit event.
        fields: the other fields the caller changed, saved with the state; None saves every field.

    Returns:
        ``obj``, moved.

    Raises:
        Conflict: as ``move_target``.
    """
    target = move_target(machine=machine, obj=obj, move=move)
    before = getattr(obj, machine.state_field)
    saved = None if fields is None else [machine.state_field, *fields]
    if machine.resume_field:
        if move in machine.pausing:
            setattr(obj, machine.resume_field, before)
        elif machine.moves[move][1] is None:
            setattr(obj, machine.resume_field, "")
        if saved is not None:
            saved.append(machine.resume_field)
    setattr(obj, machine.state_field, target)
    obj.save(update_fields=saved)
    row = timeline(before, target) if timeline is not None else None
    audit_record(action=f"{machine.kind}.{move}", actor=actor, organization=organization, obj=obj,
                 summary=(summary or f"{label or obj} {move}: {before} → {target}")[:500],
                 changes={machine.state_field: [before, target], **(changes or {})})
    if notify is not None:
        notify(before, target, row)
    return obj
