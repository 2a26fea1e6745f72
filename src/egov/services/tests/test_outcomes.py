"""Tracking without sign-in, published results with masked names, notifications after commit,
ratings with rectification and appeal review."""

import pytest
from django.core import mail

from egov.accounts.actions import legal_person_register
from egov.accounts.tests.factories import make_verified
from egov.audit.models import AuditEvent
from egov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.facilities.models import Notification
from egov.orgs.roles import Role
from egov.services import selectors
from egov.services.actions import rating as ratings
from egov.services.models import Rating, Rectification
from egov.services.publication import application_track, published_result, published_results
from egov.services.tests.factories import USCC_B, submit
from egov.workflow.selectors import working_days_add


def test_tracking_shows_status_and_dates_and_no_personal_data(hall):
    case = hall.concluded()
    tracked = application_track(number=case.number.replace("-", ""), code=case.query_code.lower())
    assert tracked.status == "concluded" and tracked.organization == hall.casework.bureau.name
    assert [s["move"] for s in tracked.steps] == ["submit", "receive", "accept", "review", "approve", "conclude"]
    assert hall.citizen.name not in repr(tracked) and "applicant" not in tracked.__dataclass_fields__
    full_width = {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ-"}  # U+FF01…: full-width
    typed_in_full_width = application_track(number=case.number.translate(full_width),
                                            code=case.query_code.translate(full_width))
    assert typed_in_full_width.number == case.number


def test_a_wrong_code_and_an_unknown_number_look_the_same(hall):
    case = submit(hall.casework.item, hall.citizen)
    answers = []
    for number, code in [(case.number, "AAAA-AAAA"), ("320200001-20260928-0000017", case.query_code),
                         ("not a number", case.query_code)]:
        with pytest.raises(NotFound) as raised:
            application_track(number=number, code=code)
        answers.append((raised.value.message, raised.value.extra))
    assert answers[0] == answers[1] == answers[2]


def test_published_results_mask_natural_persons_and_show_legal_persons(hall):
    person_case = hall.concluded()
    enterprise = make_verified(legal_person_register(uscc=USCC_B, name="无锡示范科技有限公司",
                                                     legal_representative="王建国", password="correct-horse-2026").user)
    hall.citizen = enterprise
    enterprise_case = hall.concluded(approve=False, key="hall-case-0002")
    rows = {r.number: r for r in map(published_result, published_results())}
    assert rows[person_case.number].applicant == "张**"  # 张𠮷 + U+2A700: two masked characters
    assert rows[person_case.number].result == "approved"
    assert rows[enterprise_case.number].applicant == "无锡示范科技有限公司"
    assert rows[enterprise_case.number].result == "denied"
    month = person_case.concluded_at.astimezone().strftime("%Y-%m")
    assert published_results(month=month).count() == 2
    assert published_results(month="2001-01").count() == 0
    assert published_results(item_code="nope").count() == 0
    assert published_results(organization_id=hall.casework.other.pk).count() == 0
    with pytest.raises(ValidationFailed):
        published_results(month="2026-13")


def test_every_status_change_notifies_in_the_site_and_by_mail_after_commit(hall, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = submit(hall.casework.item, hall.citizen)
    # Nothing is sent before the commit: the e-mail waits in one after-commit callback (beside it,
    # the organization's case code remembered for the process once the counter's row commits).
    assert len(mail.outbox) == 0
    assert [c.__qualname__.split(".")[0] for c in callbacks if "notification" in c.__qualname__] == [
        "notification_send"]
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["zhang@example.cn"]
    assert case.number in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        from egov.services.actions import processing

        processing.application_receive(actor=hall.casework.staff["clerk"], application=case)
    rows = Notification.objects.filter(recipient=hall.citizen, link_name="services:application",
                                       link_args=[case.number])
    assert rows.count() == 2 and all(row.emailed_at for row in rows)
    assert len(mail.outbox) == 2


def test_a_rolled_back_change_sends_nothing(hall, django_capture_on_commit_callbacks):
    case = submit(hall.casework.item, hall.citizen)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Conflict):
        from egov.services.actions import processing

        processing.application_decide(actor=hall.casework.staff["approver"], application=case, approve=True)
    assert callbacks == [] and Notification.objects.filter(link_args=[case.number]).count() == 1


def test_ratings_after_conclusion_only_once(hall):
    case = submit(hall.casework.item, hall.citizen)
    with pytest.raises(Conflict):
        ratings.rating_submit(actor=hall.citizen, application=case, level=5)
    case = hall.concluded(key="hall-case-0003")
    with pytest.raises(NotFound):
        ratings.rating_submit(actor=hall.casework.stranger, application=case, level=5)
    with pytest.raises(ValidationFailed):
        ratings.rating_submit(actor=hall.citizen, application=case, level=6)
    with pytest.raises(ValidationFailed) as raised:
        ratings.rating_submit(actor=hall.citizen, application=case, level=2)
    assert raised.value.extra == {"field": "comment", "rule": "required"}
    rating = ratings.rating_submit(actor=hall.citizen, application=case, level=4, comment="")
    assert not Rectification.objects.filter(rating=rating).exists()
    with pytest.raises(Conflict):
        ratings.rating_submit(actor=hall.citizen, application=case, level=5)


def test_a_negative_rating_is_called_back_rectified_and_replied(hall):
    case = hall.concluded()
    rating = ratings.rating_submit(actor=hall.citizen, application=case, level=1, comment="窗口态度差")
    rectification = rating.rectification
    assert rectification.due_on == working_days_add(start=rating.rated_at.astimezone().date(), days=15)
    staff = hall.casework.staff
    with pytest.raises(Conflict):  # a reply needs a call-back first
        ratings.rectification_reply(actor=staff["clerk"], rectification=rectification, reply="已整改")
    with pytest.raises(PermissionDenied):
        ratings.rectification_call_back(actor=staff["other_clerk"], rectification=rectification, note="x")
    ratings.rectification_call_back(actor=staff["clerk"], rectification=rectification, note="电话回访，情况属实")
    done = ratings.rectification_reply(actor=staff["clerk"], rectification=rectification, reply="已对窗口人员培训")
    assert done.status == Rectification.Status.REPLIED
    assert Notification.objects.filter(recipient=hall.citizen, body="已对窗口人员培训").exists()
    stats = {row.name: row for row in selectors.rating_stats(by="organization")}
    row = stats[hall.casework.bureau.name]
    assert (row.total, row.negative, row.rectified, row.levels[1], row.satisfaction) == (1, 1, 1, 1, 0.0)
    assert AuditEvent.objects.filter(action__startswith="services.rectification.").count() == 2


def test_a_malicious_rating_goes_to_appeal_review_by_the_organization_above(hall):
    from egov.accounts.actions import staff_user_create
    from egov.orgs.actions import organization_create

    city = organization_create(actor=None, name="无锡市人民政府", kind="government", division_code="320200")
    bureau = hall.casework.bureau
    # The fixture's bureau stands alone; put it under the city (orgs has no move action: set its path).
    bureau.parent, bureau.path = city, city.path + bureau.path
    bureau.save(update_fields=["parent", "path"])
    operator = staff_user_create(actor=None, username="city-operator", name="市政务办", password="x-2026-password",
                                 organization=city, roles=[Role.OPERATOR])
    ok = ratings.rating_submit(actor=hall.citizen, application=hall.concluded(key="hall-case-0004"), level=5)
    case = hall.concluded(key="hall-case-0005")
    bad = ratings.rating_submit(actor=hall.citizen, application=case, level=1, comment="就是不满意")
    staff = hall.casework.staff
    with pytest.raises(PermissionDenied):  # the appeal is a decision: approvers only
        ratings.rectification_appeal(actor=staff["clerk"], rectification=bad.rectification, reason="恶意")
    appealed = ratings.rectification_appeal(actor=staff["approver"], rectification=bad.rectification,
                                            reason="申请人多次无理由差评")
    with pytest.raises(PermissionDenied):  # the rated organization does not review its own appeal
        ratings.rectification_appeal_decide(actor=staff["approver"], rectification=appealed, malicious=True,
                                            decision="x")
    assert appealed in selectors.rectifications_for(user=operator)
    decided = ratings.rectification_appeal_decide(actor=operator, rectification=appealed, malicious=True,
                                                  decision="经核实属恶意差评")
    assert decided.status == Rectification.Status.EXCLUDED
    assert Rating.objects.get(pk=bad.pk).excluded and not Rating.objects.get(pk=ok.pk).excluded
    row = selectors.rating_stats(by="item")[0]
    assert (row.total, row.negative, row.satisfaction) == (1, 0, 1.0)
