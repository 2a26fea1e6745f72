"""Reads of the catalogue, of stored material files and of applications (办件)."""

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.models import Agent
from egov.audit.actions import audit_record, audit_subject_read
from egov.core import workdays
from egov.core.errors import NotFound, ValidationFailed
from egov.core.workdays import WorkCalendar
from egov.orgs.models import Membership, Organization
from egov.orgs.permissions import has_role
from egov.orgs.roles import Role
from egov.services.actions.lifecycle import ENDED, MOVES
from egov.services.actions.numbers import tracking_number_check
from egov.services.models import (
    LEGAL_EVENTS,
    NATURAL_EVENTS,
    Application,
    ApplicationMaterial,
    ItemTheme,
    Licence,
    Material,
    Rating,
    Rectification,
    ServiceItem,
    SupplementRequest,
)
from egov.services.models import ApplicationStatus as S
from egov.services.permissions import can_review_appeal, require_applicant, require_case_staff
from egov.services.steps import CASE_STEPS
from egov.trust.selectors import signed_revision_of
from egov.workflow.models import WorkTask
from egov.workflow.selectors import (
    inbox_todo,
    instance_pauses,
    task_taker_name,
    urgency_of,
    work_calendar,
    working_days_between,
)


def service_item_list(
    *, organization_id: int | None = None, item_type: str | None = None, applicant_kind: str | None = None,
    q: str = "", published_only: bool = True, theme: str | None = None,
) -> QuerySet[ServiceItem]:
    """Catalogue items in catalogue order (organization, then its own order, then code).

    Args:
        organization_id: only items implemented by this organization.
        item_type: only items of this ``ServiceItem.ItemType`` value.
        applicant_kind: only items this kind of applicant may apply for, ``"natural"`` (个人办事) or
            ``"legal"`` (法人办事), as listed in the item's ``applicant_kinds``.
        q: words that must all occur in the name, Chinese or English (case-insensitive), or an exact item code.
        theme: only items filed under this life event (``LifeEvent`` value, 主题分类).
        published_only: leave out withdrawn items (the public site and API always do).
    """
    items = ServiceItem.objects.select_related("organization")
    if published_only:
        items = items.filter(is_published=True)
    if organization_id is not None:
        items = items.filter(organization_id=organization_id)
    if item_type:
        items = items.filter(item_type=item_type)
    if applicant_kind:
        # applicant_kinds is a JSON list of kind names; JSON ``contains`` is missing on SQLite, so
        # look for the quoted name in the list's text (the names are fixed words, none inside another).
        items = items.filter(applicant_kinds__icontains=f'"{applicant_kind}"')
    if theme:
        items = items.filter(themes__theme=theme)
    words = (q or "").split()
    if len(words) == 1 and len(words[0]) == 32:
        return items.filter(Q(code=words[0].upper()) | Q(name__icontains=words[0]) | Q(name_en__icontains=words[0]))
    for word in words:
        items = items.filter(Q(name__icontains=word) | Q(name_en__icontains=word))
    return items


@dataclass(frozen=True)
class ThemeGroup:
    """Life events (主题分类) for one audience: ``label`` (面向自然人 / 面向法人) and ``themes``, each
    ``{"code", "label", "count"}`` with the number of published items filed under it."""

    audience: str
    label: str
    themes: list[dict]


def life_event_groups() -> list[ThemeGroup]:
    """The life events that have published items, for individuals then for enterprises, each in the
    national catalogue's order (``NATURAL_EVENTS``, ``LEGAL_EVENTS``): what the home page's 按主题办事
    lists, every entry a link to the catalogue filtered by it."""
    counts = dict(ItemTheme.objects.filter(item__is_published=True).values("theme")
                  .annotate(n=Count("item", distinct=True)).values_list("theme", "n"))
    groups = []
    for audience, label, events in (("natural", _("For individuals"), NATURAL_EVENTS),
                                    ("legal", _("For enterprises"), LEGAL_EVENTS)):
        themes = [{"code": event.value, "label": event.label, "count": counts[event.value]}
                  for event in events if counts.get(event.value)]
        if themes:
            groups.append(ThemeGroup(audience=audience, label=label, themes=themes))
    return groups


def service_item_get(*, code: str, published_only: bool = True, related: bool = True) -> ServiceItem:
    """The item with ``code`` and its organization loaded, and, when ``related``, its parent (same
    query), its materials and published children (two more queries).

    ``related=False`` is for a submission (``applying.intake_submit``), which reads the materials
    through the per-process cache ``catalog.item_materials`` and never the children.

    Raises:
        NotFound: no such item, or it is withdrawn and ``published_only``.
    """
    items = ServiceItem.objects.select_related("organization")
    if related:
        items = items.select_related("parent").prefetch_related(
            Prefetch("materials", queryset=Material.objects.order_by("sort_order", "id")),
            Prefetch("children", queryset=ServiceItem.objects.filter(is_published=True).order_by("code")),
        )
    if published_only:
        items = items.filter(is_published=True)
    # ``get``, not ``first``: the code is unique, and ``first`` would order by the model's ordering
    # (a join to the organization, and Django's compiler hashing every selected column).
    try:
        return items.get(code=(code or "").strip().upper())
    except ServiceItem.DoesNotExist:
        raise NotFound(_("There is no service item with the code %(code)s.") % {"code": code},
                       extra={"field": "code"}) from None


# The items a submission names, per process: ``{code: (stamp, ServiceItem)}`` (``service_item_for_submission``).
_submission_items: dict[str, tuple[tuple, ServiceItem]] = {}


def service_item_for_submission(*, code: str) -> ServiceItem:
    """The published item with ``code`` and its organization, as ``service_item_get(code=…,
    related=False)`` gives it, for a submission (``api.submit_application``, 外网受理): read once per
    process while it is unchanged.

    Each call sends one short statement, the item's stamp: its id, ``updated_at``, ``is_published``
    and its organization's name (``SELECT … JOIN orgs_organization … WHERE code = %s``, no ORM
    query to compile). The item object is read again when the stamp moved: an edit, 上架/下架, a
    material saved or deleted (``Material.save`` touches the item), or the organization renamed.
    The cached object is shared within the process: do not change it.

    Raises:
        NotFound: no such item, or it is withdrawn (``extra["field"] = "code"``), as ``service_item_get``.
    """
    code = (code or "").strip().upper()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT i.id, i.updated_at, i.is_published, o.name FROM {ServiceItem._meta.db_table} i "
            f"JOIN {Organization._meta.db_table} o ON o.id = i.organization_id WHERE i.code = %s", [code])
        row = cursor.fetchone()
    if row is None or not row[2]:
        raise NotFound(_("There is no service item with the code %(code)s.") % {"code": code},
                       extra={"field": "code"})
    cached = _submission_items.get(code)
    if cached is None or cached[0] != row:
        item = service_item_get(code=code, related=False)
        if len(_submission_items) > 4096:
            _submission_items.clear()
        cached = _submission_items[code] = (row, item)
    return cached[1]


def catalog_organizations() -> QuerySet[Organization]:
    """Organizations that implement at least one published item, in tree order (for filters)."""
    return Organization.objects.filter(service_items__is_published=True).distinct().order_by("path")


# Applications (办件) ------------------------------------------------------------------------------


def _application_queryset() -> QuerySet[Application]:
    return Application.objects.select_related("item", "organization", "process", "applicant", "submitted_by",
                                                  "intake")


def _by_number(number: str) -> Application:
    try:
        number = tracking_number_check(number)
    except ValidationFailed:
        raise NotFound(_("There is no such case."), extra={"field": "number"}) from None
    application = _application_queryset().filter(number=number).first()
    if application is None:
        raise NotFound(_("There is no such case."), extra={"field": "number"})
    return application


def application_get_for_applicant(*, user, number: str) -> Application:
    """The case ``number`` if ``user`` is its applicant (or the agent who submitted it).

    Raises:
        NotFound: no such case, or another applicant's (not told that it exists).
    """
    application = _by_number(number)
    require_applicant(user, application)
    return application


def application_get_for_staff(*, user, number: str) -> Application:
    """The case ``number`` if ``user`` works in an organization that handles it.

    Raises:
        NotFound: no such case, or one of other organizations (not told that it exists).
    """
    application = _by_number(number)
    require_case_staff(user, application)
    return application


def applications_of(*, user) -> QuerySet[Application]:
    """The cases of a citizen or an enterprise: their own, those they submitted as an agent, and
    those of the legal persons they are an active agent of; newest first."""
    legal_users = Agent.objects.filter(person__user=user, revoked_at__isnull=True).values("legal_person__user")
    return _application_queryset().filter(
        Q(applicant=user) | Q(submitted_by=user) | Q(applicant__in=legal_users)).order_by("-submitted_at")


def application_materials_current(*, application: Application) -> list[tuple[Material, ApplicationMaterial | None]]:
    """Each material of the case's item with the newest file handed in for it (None: none)."""
    newest: dict[int, ApplicationMaterial] = {}
    for row in application.materials.select_related("file").order_by("uploaded_at", "pk"):
        newest[row.material_id] = row
    return [(material, newest.get(material.pk)) for material in application.item.materials.order_by("sort_order",
                                                                                                       "pk")]


@dataclass(frozen=True)
class CaseDeadlines:
    """The time limits of a case as shown to staff and applicants.

    ``limit_days`` working days from ``accepted_on`` (None before 受理); ``paused_days`` working days
    not counted (ended pauses after acceptance); ``due_date`` the case deadline (None before 受理);
    ``paused_since`` set while the clock is stopped; ``days_left`` working days from ``today`` to the
    deadline (negative: overdue); ``urgency`` as ``workflow.selectors.urgency_of``. Once decided
    (准予/不予许可): ``decided_on`` (local date) and ``decided_late_days``, working days after
    ``due_date`` it was decided on (0: within the time limit, 行政许可法 §42).
    """

    accepted_on: date | None
    limit_days: int
    paused_days: int
    due_date: date | None
    paused_since: date | None
    days_left: int | None
    urgency: str
    decided_on: date | None = None
    decided_late_days: int = 0

    @property
    def overdue_days(self) -> int:
        """Working days past the deadline (0 unless overdue)."""
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    def as_json(self) -> dict:
        return {"accepted_on": self.accepted_on.isoformat() if self.accepted_on else None,
                "limit_days": self.limit_days, "paused_working_days": self.paused_days,
                "due_date": self.due_date.isoformat() if self.due_date else None,
                "clock_stopped_since": self.paused_since.isoformat() if self.paused_since else None,
                "working_days_left": self.days_left, "urgency": self.urgency}


def application_deadlines(*, application: Application, today: date | None = None,
                          calendar: WorkCalendar | None = None) -> CaseDeadlines:
    """The deadlines of ``application`` on ``today`` (default: today)."""
    process = application.process
    today = today or timezone.localdate()
    calendar = calendar or work_calendar()
    paused_days = 0
    if application.accepted_on and process is not None:
        ended = [(p.started_on, p.ended_on) for p in instance_pauses(instance=process) if p.ended_on]
        paused_days = workdays.working_days_paused(application.accepted_on, ended, calendar=calendar)
    due = process.due_date if process is not None else None
    running = application.status not in ENDED and application.status not in (S.APPROVED, S.DENIED, S.CONCLUDED)
    left = working_days_between(start=today, end=due, calendar=calendar) if due and running else None
    paused_since = process.paused_since if process is not None else None
    decided_on = timezone.localdate(application.decided_at) if application.decided_at else None
    late = 0
    if decided_on and due and decided_on > due:
        late = working_days_between(start=due, end=decided_on, calendar=calendar)
    return CaseDeadlines(accepted_on=application.accepted_on, limit_days=application.limit_days,
                         paused_days=paused_days, due_date=due, paused_since=paused_since, days_left=left,
                         urgency=urgency_of(left, paused=paused_since is not None), decided_on=decided_on,
                         decided_late_days=late)


@dataclass(frozen=True)
class WorkbenchRow:
    """One line of the staff workbench's 待办: a case, the step waiting for the user, time left
    (the case's or, before 受理, the step's; the smaller when both) and its urgency."""

    application: Application
    task: WorkTask
    days_left: int | None
    urgency: str

    @property
    def overdue_days(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def workbench_todo(*, user, today: date | None = None, rows: list | None = None) -> list[WorkbenchRow]:
    """待办: cases with a step ``user`` may take or has taken; least working time left first
    (overdue first; stopped clocks and undated steps last). ``rows``: the user's
    ``workflow.selectors.inbox_todo`` when the caller has read it already."""
    today = today or timezone.localdate()
    calendar = work_calendar()
    rows_by_instance: dict[int, list] = {}
    for row in (inbox_todo(user=user, today=today) if rows is None else rows):
        rows_by_instance.setdefault(row.task.instance_id, []).append(row)
    found = []
    for application in _application_queryset().filter(process_id__in=list(rows_by_instance)):
        deadlines = application_deadlines(application=application, today=today, calendar=calendar)
        for row in rows_by_instance[application.process_id]:
            lefts = [left for left in (row.days_left, deadlines.days_left) if left is not None]
            left = min(lefts) if lefts else None
            paused = row.task.clock_paused or deadlines.paused_since is not None
            found.append(WorkbenchRow(application=application, task=row.task, days_left=left,
                                      urgency=urgency_of(left, paused=paused)))
    found.sort(key=lambda r: (r.urgency in ("paused", "none"), r.days_left or 0, r.application.submitted_at))
    return found


def _staff_cases(user) -> QuerySet[Application]:
    organizations = Membership.objects.filter(user=user).values("organization")
    consulted = WorkTask.objects.filter(candidate_organization__in=organizations).values("instance")
    return _application_queryset().filter(Q(organization__in=organizations) | Q(process__in=consulted))


def applications_search(*, user, q: str, limit: int = 50) -> list[Application]:
    """Cases ``user``'s organizations handle whose tracking number is ``q`` or whose applicant's
    name contains ``q``. A search by name reads personal data: it is audited (the query's length,
    not the query).

    Raises:
        ValidationFailed: ``q`` is laid out as a tracking number but its check character does not
            match (``rule = "check_character"``): a typing error, named as such.
    """
    q = (q or "").strip()
    if not q:
        return []
    cases = _staff_cases(user)
    try:
        return list(cases.filter(number=tracking_number_check(q)))
    except ValidationFailed as error:
        if error.extra.get("rule") == "check_character":
            raise  # a tracking number with a typing error: say so rather than search names with it
    # not a tracking number: search by the applicant's name
    audit_record(action="services.application.search", actor=user, object_type="services.application",
                 summary=f"applicant name search ({len(q)} characters)", changes={"query_length": len(q)})
    return list(cases.filter(applicant_name__icontains=q).order_by("-submitted_at")[:limit])


def application_read_record(*, user, application: Application, what: str, material: Material | None = None
                            ) -> None:
    """Audit a staff member's read of a case's personal data (the case page, a material file)."""
    event = audit_record(action="services.application.read", actor=user, organization=application.organization,
                         obj=application, summary=f"{application.number}: {what}",
                         changes={"what": what, "material": material.pk if material is not None else None})
    applicant = application.applicant
    if applicant is not None and applicant.kind in ("natural", "legal"):
        # who read my data: the applicant sees that the implementing organization opened their case
        audit_subject_read(subject=applicant.username, subject_kind=applicant.kind,
                           organization=application.organization, action="services.application.read",
                           case=application.number, via="platform", event=event,
                           resource_name="办件材料" if material is not None else "办件",
                           resource_name_en="Case materials" if material is not None else "Case")


def application_supplement_request(*, application: Application) -> SupplementRequest | None:
    """The case's 补正 request (at most one), or None."""
    return SupplementRequest.objects.filter(application=application).prefetch_related("materials").first()


def application_material_get(*, application: Application, row_id: int) -> ApplicationMaterial:
    """One file handed in for ``application``.

    Raises:
        NotFound: no such file of this case.
    """
    row = application.materials.select_related("file", "material").filter(pk=row_id).first()
    if row is None:
        raise NotFound(_("No such file."), extra={"field": "material"})
    return row


def application_staff_steps(*, user, application: Application) -> list[str]:
    """The steps (``steps.CASE_STEPS``) that ``user`` may do on ``application`` now, in page order:
    those whose move the status allows and whose role ``user`` holds in the implementing
    organization; ``joint_opinion`` for a reviewer of an organization whose opinion is awaited;
    ``request_supplement`` only when none was requested before; ``special_procedure_start`` only
    to the role of the step the case is at (the reviewer while under review, the approver once
    reviewed), and after the main step of the page."""
    steps = []
    for step in CASE_STEPS.values():
        if step.name == "joint_opinion":  # taken in a consulted organization: below
            continue
        if step.name == "credit_decide":  # the case page offers it in place of accept (``sanctions``)
            continue
        if not any(application.status in MOVES[move][0] for move in step.moves):
            continue
        roles = step.roles
        if step.name == "special_procedure_start":
            roles = (_SPECIAL_PROCEDURE_ROLE[application.status],)
        if not any(has_role(user, application.organization, role) for role in roles):
            continue
        if step.name == "request_supplement" and SupplementRequest.objects.filter(application=application).exists():
            continue
        steps.append(step.name)
    if application.status == S.JOINT_REVIEW and application.process_id:
        awaited = WorkTask.objects.filter(instance_id=application.process_id, bpmn_id="joint_review",
                                          status__in=[WorkTask.Status.OPEN, WorkTask.Status.CLAIMED])
        if any(has_role(user, task.candidate_organization, Role.REVIEWER) for task in awaited):
            steps.insert(0, "joint_opinion")
    if "special_procedure_start" in steps:  # the exception comes after the step's own decision
        steps.append(steps.pop(steps.index("special_procedure_start")))
    return steps


# Who may start a special procedure (特别程序, 行政许可法 §45) at each status it may start from: the
# one whose step the case is at.
_SPECIAL_PROCEDURE_ROLE = {S.ACCEPTED: Role.REVIEWER, S.JOINT_REVIEW: Role.REVIEWER, S.REVIEWED: Role.APPROVER}


def licence_pdf(*, licence) -> bytes:
    """The licence's sealed PDF as issued: its signed document's first version (trust keeps every
    version under one verification code; a licence is sealed once)."""
    return bytes(signed_revision_of(document=licence.document, number=1).pdf)


# Form fields an applicant's own account answers (by field name), per kind of applicant. A natural
# person: its name, resident ID and phone; an enterprise: its USCC, name and legal representative,
# and the phone of the person applying for it (its 经办人, or its own account's).
_PERSON_FIELDS = {"name": "name", "operator_name": "name", "id_number": "id_number", "operator_id": "id_number",
                  "contact_phone": "phone"}
_ENTERPRISE_FIELDS = {"uscc": "uscc", "enterprise_name": "name", "business_name": "name", "developer": "name",
                      "builder": "name", "right_holder": "name", "legal_representative": "legal_representative",
                      "operator": "legal_representative", "contact_phone": "phone"}


def application_form_initial(*, user, item: ServiceItem, legal_person=None) -> dict:
    """What the apply form of ``item`` starts with for ``user`` (the signed-in applicant's own
    account, so nothing is audited): for a natural person applying for themself its name, ID number
    and mobile phone; for a legal person (``legal_person``, which ``user`` is the agent or the
    account of) its USCC, name, legal representative and phone (its account's, else ``user``'s).
    Only fields the item's form has, by the names in ``_PERSON_FIELDS`` / ``_ENTERPRISE_FIELDS``, and only values
    the account has.

    Returns:
        ``{form field name: value}``, for ``SchemaForm(..., initial=...)``.
    """
    properties = (item.form_schema or {}).get("properties", {})
    if legal_person is None:
        legal_person = getattr(user, "legal_person", None)
    if legal_person is not None:
        # The enterprise's own phone when its account has one, else the agent's who applies.
        facts = {"uscc": legal_person.uscc, "name": legal_person.name,
                 "legal_representative": legal_person.legal_representative,
                 "phone": legal_person.user.phone or user.phone}
        mapping = _ENTERPRISE_FIELDS
    else:
        person = getattr(user, "natural_person", None)
        if person is None:
            return {}
        facts = {"name": person.name, "id_number": person.id_number, "phone": user.phone}
        mapping = _PERSON_FIELDS
    return {name: facts[fact] for name, fact in mapping.items() if name in properties and facts.get(fact)}
R = Rectification.Status


# Ratings (好差评) ----------------------------------------------------------------------------------


def rectification_get(*, user, rectification_id: int) -> Rectification:
    """A rectification that ``user`` may see: staff of the rated organization, or an appeal reviewer.

    Raises:
        NotFound: otherwise (not told it exists).
    """
    rectification = (Rectification.objects.select_related("rating__application__item", "organization__parent")
                     .filter(pk=rectification_id).first())
    if rectification is None or not (rectification.organization.memberships.filter(user=user).exists()
                                     or can_review_appeal(user, rectification)):
        raise NotFound(_("No such rectification."), extra={"field": "rectification"})
    return rectification


def rectifications_for(*, user):
    """Rectifications of the organizations ``user`` belongs to, and appeals ``user`` may review;
    open ones first, soonest deadline first."""
    member_of = list(Organization.objects.filter(memberships__user=user).values_list("pk", flat=True))
    operator_over = [path for path in Organization.objects.filter(
        memberships__user=user, memberships__roles__role=Role.OPERATOR).values_list("path", flat=True)]
    condition = Q(organization_id__in=member_of)
    for path in operator_over:
        condition |= Q(status=R.APPEALED, organization__path__startswith=path) & ~Q(organization__path=path)
    return (Rectification.objects.filter(condition).select_related("rating__application__item", "organization")
            .order_by("status", "due_on", "pk"))


def rating_for_application(*, application: Application) -> Rating | None:
    return Rating.objects.filter(application=application).select_related("rectification").first()


@dataclass(frozen=True)
class RatingStats:
    """Counts per level (5 … 1) of one organization or item, excluded ratings left out.

    ``satisfaction`` is the share of 非常满意, 满意 and 基本满意 among all ratings (0–1), None
    without ratings; ``negative`` counts 差评 and ``rectified`` those replied to.
    """

    key: int | str
    name: str
    levels: dict[int, int]
    total: int
    negative: int
    rectified: int

    @property
    def satisfaction(self) -> float | None:
        return None if not self.total else (self.total - self.negative) / self.total


def rating_stats(*, by: str, organization_id: int | None = None) -> list[RatingStats]:
    """Statistics of the ratings that count, per ``by`` = ``"organization"`` or ``"item"`` (optionally
    only of one organization), most ratings first."""
    key, name = {"organization": ("organization_id", "organization__name"),
                 "item": ("item__code", "item__name")}[by]
    rows = Rating.objects.filter(excluded=False)
    if organization_id is not None:
        rows = rows.filter(organization_id=organization_id)
    aggregates = {f"l{level}": Count("pk", filter=Q(level=level)) for level in Rating.Level.values}
    grouped = (rows.values(key, name).annotate(total=Count("pk"), rectified=Count(
        "pk", filter=Q(rectification__status=R.REPLIED)), **aggregates).order_by("-total", name))
    return [RatingStats(key=row[key], name=row[name], levels={lv: row[f"l{lv}"] for lv in (5, 4, 3, 2, 1)},
                        total=row["total"], negative=row["l2"] + row["l1"], rectified=row["rectified"])
            for row in grouped]


@dataclass(frozen=True)
class NextActor:
    """Who acts next on a case: ``role`` (the role's label, or 申请人) and ``who`` (the person who
    claimed the step, else the one person who may take it, else the organization it waits in, or
    the applicant's name)."""

    role: str
    who: str


def application_next_actors(*, application: Application) -> list[NextActor]:
    """The next actors of ``application``, one per open step of its process in step order
    (several while organizations review it jointly): the step's role and the person who claimed it
    or, while nobody has, its organization; the applicant while a 补正 is awaited; none once the
    case has ended."""
    if application.status in (S.SUPPLEMENT,):
        return [NextActor(role=str(_("Applicant")), who=application.applicant_name)]
    if application.process_id is None or application.status in ENDED:
        return []
    tasks = (WorkTask.objects.filter(instance_id=application.process_id,
                                     status__in=[WorkTask.Status.OPEN, WorkTask.Status.CLAIMED])
             .select_related("candidate_organization", "claimed_by").order_by("pk"))
    return [NextActor(role=str(task.get_candidate_role_display()), who=task_taker_name(task=task)) for task in tasks]


def licence_read(*, item_code: str, holder: str, organization, purpose: dict) -> dict | None:
    """The newest e-licence in force that the service hall issued for item ``item_code`` to the
    applicant whose sign-in name is ``holder`` (resident ID number or USCC), as the exchange's
    电子证照信息 gives it (``licence_name``, ``licence_number``, ``holder_name``, ``holder_code``,
    ``issued_on``, ``valid_until``: dates ISO 8601, "" without limit), or None.

    A read that finds one is audited (``services.licence.read``, the licence as object, the consumer
    ``organization`` and the ``purpose`` ``{"case", "basis"}``).
    """
    today = timezone.localdate()
    licence = (Licence.objects.filter(application__item__code=item_code, application__applicant__username=holder,
                                      issued_on__lte=today)
               .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today)).order_by("-issued_on", "-pk").first())
    if licence is None:
        return None
    audit_record(action="services.licence.read", organization=organization, obj=licence,
                 summary=f"{licence.number} read through the exchange for {purpose.get('case', '')}",
                 changes={"purpose": purpose.get("case", ""), "basis": purpose.get("basis", "")})
    return {"licence_name": licence.name, "licence_number": licence.number, "holder_name": licence.holder_name,
            "holder_code": licence.holder_uscc or holder, "issued_on": licence.issued_on.isoformat(),
            "valid_until": licence.valid_until.isoformat() if licence.valid_until else ""}


def licence_decided(*, licence_id: int) -> dict:
    """What the 双公示 of an issued licence needs (``services.signals.licence_issued``): ``number``, ``name``,
    ``name_en``, ``holder_kind`` (``legal`` with the USCC, ``natural`` with the resident ID of a person
    who holds it, or "" when the holder has no code), ``holder_code``, ``holder_name``,
    ``organization_id`` (the deciding organization), ``decided_on`` (the approver's decision date, a
    ``date``), ``legal_basis`` and ``legal_basis_en`` (the item's bases joined with ；/ "; ")."""
    licence = Licence.objects.select_related("application__item", "application__applicant").get(pk=licence_id)
    application, item = licence.application, licence.application.item
    kind, code = ("legal", licence.holder_uscc) if licence.holder_uscc else ("", "")
    natural = getattr(application.applicant, "natural_person", None)
    if not code and natural is not None and licence.holder_name == application.applicant_name:
        kind, code = "natural", natural.id_number

    def basis(title: str, provision: str) -> str:
        return " ".join(part for part in (title, provision) if part)

    decided = application.decided_at or licence.created_at
    return {
        "number": licence.number, "name": licence.name, "name_en": item.licence_name_en or item.name_en,
        "holder_kind": kind, "holder_code": code, "holder_name": licence.holder_name,
        "organization_id": application.organization_id, "decided_on": timezone.localdate(decided),
        "legal_basis": "；".join(basis(b.get("title", ""), b.get("provision", "")) for b in item.legal_basis),
        "legal_basis_en": "; ".join(basis(b.get("title_en", ""), b.get("provision_en", ""))
                                    for b in item.legal_basis if b.get("title_en")),
    }
