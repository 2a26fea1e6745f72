"""Reads of letters to the mayor: the writer's list and letter, the staff queue and letter (reading
the writer's personal data is audited, ``letter_read_record``), the published letters (masked) and
the statistics by organization and topic."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.core import workdays
from egov.core.errors import NotFound
from egov.orgs.models import Organization
from egov.portal.actions_letters import MOVE_LABELS
from egov.portal.models_letters import Letter, LetterRating, LetterStatus, LetterTopic, Publication
from egov.portal.permissions_letters import (
    handler_organization_ids,
    is_dispatcher,
    require_letter_staff,
    require_letter_writer,
)
from egov.workflow.selectors import urgency_of, work_calendar


def _queryset() -> QuerySet[Letter]:
    return Letter.objects.select_related("organization", "writer")


def _by_number(number: str) -> Letter:
    letter = _queryset().filter(number=number).first()
    if letter is None:
        raise NotFound(_("There is no such letter."), extra={"field": "number"})
    return letter


def letters_of(*, user) -> QuerySet[Letter]:
    """The letters ``user`` wrote, newest first."""
    return _queryset().filter(writer=user)


def letter_get_for_writer(*, user, number: str) -> Letter:
    """The letter ``number`` if ``user`` wrote it.

    Raises:
        NotFound: no such letter, or someone else's.
    """
    letter = _by_number(number)
    require_letter_writer(user, letter)
    return letter


def letter_get_for_staff(*, user, number: str) -> Letter:
    """The letter ``number`` if ``user`` is a dispatcher or a handler of its organization.

    Raises:
        NotFound: no such letter, or not this staff member's to see.
    """
    letter = _by_number(number)
    require_letter_staff(user, letter)
    return letter


def letter_read_record(*, user, letter: Letter) -> None:
    """Audit a staff member's read of the writer's personal data (name, identity number, phone)."""
    audit_record(action="portal.letter.read", actor=user, organization=letter.organization, obj=letter,
                 summary=f"{letter.number}: writer's personal data",
                 changes={"what": ["writer_name", "writer_id_number", "writer_phone"]})


def letter_timeline(*, letter: Letter) -> list[tuple]:
    """``[(event, label)]`` of the letter, oldest first."""
    return [(event, MOVE_LABELS.get(event.move, event.move))
            for event in letter.events.select_related("by_organization")]


@dataclass(frozen=True)
class LetterRow:
    """One letter of a staff queue, with working days left (None: not running) and its badge
    (``workflow.selectors.urgency_of``)."""

    letter: Letter
    days_left: int | None
    urgency: str

    @property
    def overdue_days(self) -> int:
        """Working days past the due date (0 unless overdue)."""
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def staff_queue(*, user, today: date | None = None) -> dict[str, list]:
    """What ``user`` has to do: ``to_route`` (dispatchers: letters written or sent back),
    ``to_publish`` (dispatchers: answered letters whose writer agreed, not decided yet),
    ``to_answer`` (letters being handled, overdue first, then least working time left: a handler's
    organizations' letters; every organization's for a dispatcher, who follows them)."""
    today = today or timezone.localdate()
    calendar = work_calendar()
    queue: dict[str, list] = {"to_route": [], "to_publish": [], "to_answer": []}
    dispatcher = is_dispatcher(user)
    if dispatcher:
        queue["to_route"] = list(_queryset().filter(status__in=[LetterStatus.SUBMITTED, LetterStatus.RETURNED])
                                 .order_by("submitted_at"))
        queue["to_publish"] = list(_queryset().filter(
            status__in=[LetterStatus.ANSWERED, LetterStatus.CLOSED], publish_consent=True,
            publication=Publication.PENDING).order_by("answered_at"))
    rows = []
    routed = _queryset().filter(status=LetterStatus.ROUTED)
    if not dispatcher:
        routed = routed.filter(organization_id__in=handler_organization_ids(user))
    for letter in routed:
        left = workdays.working_days_between(today, letter.due_on, calendar=calendar)
        rows.append(LetterRow(letter=letter, days_left=left, urgency=urgency_of(left, paused=False)))
    rows.sort(key=lambda row: (row.days_left, row.letter.submitted_at))
    queue["to_answer"] = rows
    return queue


def letter_staff_steps(*, user, letter: Letter) -> list[str]:
    """The steps ``user`` may take on ``letter`` now, in page order."""
    steps = []
    dispatcher = is_dispatcher(user)
    if dispatcher and letter.status in (LetterStatus.SUBMITTED, LetterStatus.RETURNED):
        steps.append("route")
    if letter.status == LetterStatus.ROUTED and letter.organization_id in handler_organization_ids(user):
        steps += ["answer", "send_back"]
    if (dispatcher and letter.publish_consent and letter.publication == Publication.PENDING
            and letter.status in (LetterStatus.ANSWERED, LetterStatus.CLOSED)):
        steps.append("publication")
    return steps


def routing_organizations() -> QuerySet[Organization]:
    """Active organizations with at least one letter handler, by tree order."""
    return Organization.objects.filter(is_active=True, memberships__roles__role="letter_handler").distinct() \
        .order_by("path")


def published_letters(*, topic: str = "", organization: int | None = None) -> QuerySet[Letter]:
    """Published letters, newest publication first, optionally of one topic or organization. Only
    the masked ``public_*`` fields of these may be shown."""
    rows = (Letter.objects.select_related("organization")
            .filter(publication=Publication.APPROVED, published_at__isnull=False)
            .order_by("-published_at", "-pk"))
    if topic in LetterTopic.values:
        rows = rows.filter(topic=topic)
    if organization:
        rows = rows.filter(organization_id=organization)
    return rows


def published_letter(*, number: str) -> Letter:
    """One published letter.

    Raises:
        NotFound: no such letter, or not published.
    """
    letter = published_letters().filter(number=number).first()
    if letter is None:
        raise NotFound(_("There is no such letter."), extra={"field": "number"})
    return letter


@dataclass
class StatRow:
    """Counts of one organization or topic: ``letters`` (routed there / of that topic), ``answered``,
    ``on_time`` (answered by the due date), ``overdue_open`` (still open past the due date), the
    ratings, and the rates in per cent (None without a base)."""

    key: str
    label: str
    letters: int = 0
    answered: int = 0
    on_time: int = 0
    overdue_open: int = 0
    ratings: dict = field(default_factory=dict)

    @property
    def rated(self) -> int:
        """Letters whose latest answer was rated."""
        return sum(self.ratings.values())

    @property
    def on_time_rate(self) -> float | None:
        """Per cent of the answered letters answered by their due date."""
        return round(100 * self.on_time / self.answered, 1) if self.answered else None

    @property
    def satisfaction_rate(self) -> float | None:
        """Per cent of rated answers rated 满意 or 基本满意."""
        if not self.rated:
            return None
        good = self.ratings.get(LetterRating.SATISFIED, 0) + self.ratings.get(LetterRating.FAIRLY, 0)
        return round(100 * good / self.rated, 1)


def _counts(today: date) -> dict:
    return {
        "letters": Count("pk"),
        "answered": Count("pk", filter=Q(answered_at__isnull=False)),
        "on_time": Count("pk", filter=Q(answered_at__isnull=False, answered_late=False)),
        "overdue_open": Count("pk", filter=Q(status=LetterStatus.ROUTED, due_on__lt=today)),
        "satisfied": Count("pk", filter=Q(rating=LetterRating.SATISFIED)),
        "fairly": Count("pk", filter=Q(rating=LetterRating.FAIRLY)),
        "dissatisfied": Count("pk", filter=Q(rating=LetterRating.DISSATISFIED)),
    }


def _counted() -> QuerySet[Letter]:
    """The letters the statistics count: all but those their writers withdrew (no one had to answer)."""
    return Letter.objects.exclude(status=LetterStatus.WITHDRAWN)


def _row(key: str, label: str, item: dict) -> StatRow:
    return StatRow(key=key, label=label, letters=item["letters"], answered=item["answered"],
                   on_time=item["on_time"], overdue_open=item["overdue_open"],
                   ratings={LetterRating.SATISFIED: item["satisfied"], LetterRating.FAIRLY: item["fairly"],
                            LetterRating.DISSATISFIED: item["dissatisfied"]})


def _stats(group: str, labels: dict, today: date) -> list[StatRow]:
    rows = [_row(str(item[group]), str(labels.get(item[group], item[group])), item)
            for item in _counted().values(group).annotate(**_counts(today)).order_by(group)
            if item[group] is not None]
    return sorted(rows, key=lambda row: (-row.letters, row.label))


def letter_statistics(*, today: date | None = None) -> dict[str, list[StatRow]]:
    """Statistics of all letters: ``{"organizations": [...], "topics": [...], "total": [one row]}``.

    By organization: the letters routed to it (its current organization). On time: answered on or
    before the due date of that answer period. Satisfaction: the latest rating of each letter.
    Letters withdrawn by their writers are not counted. No personal data: counts only.
    """
    today = today or timezone.localdate()
    organizations = {org.pk: org.local_name for org in Organization.objects.filter(letters__isnull=False).distinct()}
    whole = _row("all", _("All letters"), _counted().aggregate(**_counts(today)))
    return {"organizations": _stats("organization", organizations, today),
            "topics": _stats("topic", dict(LetterTopic.choices), today), "total": [whole]}
