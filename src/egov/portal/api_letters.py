"""The letters API (市长信箱), mounted at ``/api/v1/letters/`` on the public site: the published
letters (masked) and the statistics for everyone; writing, one's own letters and rating the answer
with the public session (citizens and enterprises). Attachments are sent through the page only."""

from datetime import date, datetime

from ninja import Field, Header, Router, Schema
from ninja.pagination import paginate

from egov.core.apischema import ErrorOut
from egov.portal import actions_letters
from egov.portal.models_letters import Letter
from egov.portal.selectors_letters import (
    StatRow,
    letter_get_for_writer,
    letter_statistics,
    letter_timeline,
    letters_of,
    published_letter,
    published_letters,
)
from egov.services.api_common import Pager, public_session

router = Router(tags=["letters"])


class PublishedLetterOut(Schema):
    number: str
    topic: str
    topic_label: str
    subject: str
    body: str
    organization: str
    written_on: date
    answered_at: datetime | None
    answer: str


def _published(letter: Letter) -> dict:
    return {"number": letter.number, "topic": letter.topic, "topic_label": str(letter.get_topic_display()),
            "subject": letter.public_subject, "body": letter.public_body,
            "organization": letter.organization.local_name if letter.organization else "",
            "written_on": letter.submitted_at.date(), "answered_at": letter.answered_at,
            "answer": letter.public_answer}


class StatOut(Schema):
    key: str
    label: str
    letters: int
    answered: int
    on_time: int
    overdue_open: int
    rated: int
    on_time_rate: float | None = Field(description="per cent of the answered letters answered by their due date")
    satisfaction_rate: float | None = Field(description="per cent of rated answers rated satisfied or fairly")


class StatisticsOut(Schema):
    total: StatOut
    organizations: list[StatOut]
    topics: list[StatOut]


def _stat(row: StatRow) -> dict:
    return {"key": row.key, "label": row.label, "letters": row.letters, "answered": row.answered,
            "on_time": row.on_time, "overdue_open": row.overdue_open, "rated": row.rated,
            "on_time_rate": row.on_time_rate, "satisfaction_rate": row.satisfaction_rate}


class LetterIn(Schema):
    topic: str = Field(description="consultation, suggestion, complaint, help, report or praise")
    subject: str = Field(max_length=100)
    body: str = Field(max_length=5000)
    publish_consent: bool = False
    idempotency_key: str | None = Field(None, description="or the Idempotency-Key header")


class EventOut(Schema):
    at: datetime
    move: str
    label: str
    by: str
    note: str


class LetterOut(Schema):
    number: str
    topic: str
    subject: str
    body: str
    status: str
    status_label: str
    written_at: datetime
    organization: str | None
    due_on: date | None
    answer: str
    answered_at: datetime | None
    rating: str
    publish_consent: bool
    published: bool
    events: list[EventOut]


def _mine(letter: Letter) -> dict:
    return {"number": letter.number, "topic": letter.topic, "subject": letter.subject, "body": letter.body,
            "status": letter.status, "status_label": str(letter.get_status_display()),
            "written_at": letter.submitted_at,
            "organization": letter.organization.local_name if letter.organization_id else None,
            "due_on": letter.due_on, "answer": letter.answer_text, "answered_at": letter.answered_at,
            "rating": letter.rating, "publish_consent": letter.publish_consent, "published": letter.is_published,
            "events": [{"at": e.at, "move": e.move, "label": str(label), "by": e.local_by, "note": e.note}
                       for e, label in letter_timeline(letter=letter)]}


class RatingIn(Schema):
    rating: str = Field(description="satisfied, fairly or dissatisfied")
    comment: str = Field("", max_length=1000)
    reopen: bool = Field(False, description="with dissatisfied: handle the letter again (once per letter)")


@router.get("/", response=list[PublishedLetterOut], auth=None)
@paginate(Pager)
def list_published(request, topic: str = ""):
    """Published letters (the writer agreed, the dispatcher approved), newest first, masked."""
    return [_published(letter) for letter in published_letters(topic=topic)]


@router.get("/statistics", response=StatisticsOut, auth=None)
def statistics(request):
    """Counts by organization and topic: letters, answered, on time, open past due, satisfaction."""
    stats = letter_statistics()
    return {"total": _stat(stats["total"][0]), "organizations": [_stat(r) for r in stats["organizations"]],
            "topics": [_stat(r) for r in stats["topics"]]}


@router.get("/mine", response={200: list[LetterOut], 401: ErrorOut}, auth=public_session)
def my_letters(request):
    """The signed-in writer's letters, newest first."""
    return [_mine(letter) for letter in letters_of(user=request.auth)[:100]]


@router.post("/mine", response={200: LetterOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut,
                                429: ErrorOut}, auth=public_session)
def write(request, payload: LetterIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    """Write a letter (verified citizens and enterprises). The same key with the same content gives
    the same letter; 409 for the key with other content; 429 with Retry-After past the account's
    letters per hour or day."""
    letter = actions_letters.letter_write(
        actor=request.auth, topic=payload.topic, subject=payload.subject, body=payload.body,
        publish_consent=payload.publish_consent, idempotency_key=idempotency_key or payload.idempotency_key or "")
    return _mine(letter)


@router.get("/mine/{number}", response={200: LetterOut, 401: ErrorOut, 404: ErrorOut}, auth=public_session)
def my_letter(request, number: str):
    """One of the writer's letters with its timeline; 404 for anyone else's."""
    return _mine(letter_get_for_writer(user=request.auth, number=number))


@router.post("/mine/{number}/rating", response={200: LetterOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut,
                                                409: ErrorOut}, auth=public_session)
def rate(request, number: str, payload: RatingIn):
    """Rate the answer; ``reopen`` with ``dissatisfied`` asks once for the letter to be handled again."""
    letter = letter_get_for_writer(user=request.auth, number=number)
    return _mine(actions_letters.letter_rate(actor=request.auth, letter=letter, rating=payload.rating,
                                             comment=payload.comment, reopen=payload.reopen))


class WithdrawIn(Schema):
    reason: str = Field("", max_length=1000)


@router.post("/mine/{number}/withdraw", response={200: LetterOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut,
                                                  409: ErrorOut}, auth=public_session)
def withdraw(request, number: str, payload: WithdrawIn | None = None):
    """Withdraw (撤回) a letter no organization has answered yet, with an optional reason: status
    ``withdrawn``, out of the staff queues, never published. 409 once answered (``rule`` ``answered``,
    also while handled again after a 不满意 rating) or withdrawn already (``rule`` ``done``)."""
    letter = letter_get_for_writer(user=request.auth, number=number)
    return _mine(actions_letters.letter_withdraw(actor=request.auth, letter=letter,
                                                 reason=payload.reason if payload else ""))


@router.get("/{number}", response={200: PublishedLetterOut, 404: ErrorOut}, auth=None)
def get_published(request, number: str):
    """One published letter, masked; 404 when it is not published."""
    return _published(published_letter(number=number))


