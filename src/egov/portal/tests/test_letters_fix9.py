"""Letters to the mayor, fix9: withdrawing a letter (撤回), writing one through the API without an
idempotency key, and published copies masked again without over-masking place names; actions, page
and API on real PostgreSQL."""

import pytest

from egov.audit.models import AuditEvent
from egov.core.errors import Conflict, NotFound
from egov.facilities.models import Notification
from egov.portal import actions_letters as actions
from egov.portal.models_letters import Letter, LetterStatus
from egov.portal.selectors_letters import letter_statistics, staff_queue

pytestmark = pytest.mark.django_db


def _answered(mailbox) -> Letter:
    letter = actions.letter_route(actor=mailbox.dispatcher, letter=mailbox.write(), organization=mailbox.housing)
    return actions.letter_answer(actor=mailbox.handler, letter=letter, text="已转街道处理。")


def test_a_letter_waiting_to_be_routed_is_withdrawn_and_leaves_the_dispatchers_queue(mailbox):
    letter = mailbox.write()
    assert staff_queue(user=mailbox.dispatcher)["to_route"] == [letter]
    letter = actions.letter_withdraw(actor=mailbox.citizen, letter=letter, reason="已自行解决")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.WITHDRAWN
    assert staff_queue(user=mailbox.dispatcher) == {"to_route": [], "to_publish": [], "to_answer": []}
    event = letter.events.last()
    assert (event.move, event.status_from, event.status_to, event.note) == (
        "withdraw", "submitted", "withdrawn", "已自行解决")
    audit = AuditEvent.objects.get(action="portal.letter.withdraw", object_id=str(letter.pk))
    assert audit.changes["status"] == ["submitted", "withdrawn"]


def test_a_letter_being_handled_is_withdrawn_its_handlers_told_and_it_is_never_published(mailbox):
    letter = actions.letter_route(actor=mailbox.dispatcher, letter=mailbox.write(), organization=mailbox.housing)
    assert [row.letter for row in staff_queue(user=mailbox.handler)["to_answer"]] == [letter]
    before = Notification.objects.filter(recipient=mailbox.handler).count()
    letter = actions.letter_withdraw(actor=mailbox.citizen, letter=letter)
    assert staff_queue(user=mailbox.handler)["to_answer"] == []
    assert staff_queue(user=mailbox.dispatcher)["to_answer"] == []
    assert Notification.objects.filter(recipient=mailbox.handler).count() == before + 1
    # No answer, no publication: the handler cannot answer it, the dispatcher cannot publish it.
    with pytest.raises(Conflict):
        actions.letter_answer(actor=mailbox.handler, letter=letter, text="已处理。")
    with pytest.raises(Conflict) as refused:
        actions.letter_publication_decide(actor=mailbox.dispatcher, letter=letter, publish=True)
    assert refused.value.extra["rule"] == "not_answered"
    # Withdrawn letters are not in the statistics (one letter written, withdrawn: none counted).
    assert letter_statistics()["total"][0].letters == 0


def test_an_answered_letter_cannot_be_withdrawn(mailbox):
    letter = _answered(mailbox)
    with pytest.raises(Conflict) as refused:
        actions.letter_withdraw(actor=mailbox.citizen, letter=letter)
    assert refused.value.extra["rule"] == "answered"
    assert "无锡市住房和城乡建设局" in refused.value.message
    # Rated 不满意 and handled again, it was answered once: still not withdrawable.
    letter = actions.letter_rate(actor=mailbox.citizen, letter=letter, rating="dissatisfied", reopen=True)
    assert letter.status == LetterStatus.ROUTED
    with pytest.raises(Conflict) as refused:
        actions.letter_withdraw(actor=mailbox.citizen, letter=letter)
    assert refused.value.extra["rule"] == "answered"
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.ROUTED


def test_only_the_writer_withdraws_and_only_once(mailbox):
    letter = mailbox.write()
    with pytest.raises(NotFound):
        actions.letter_withdraw(actor=mailbox.stranger, letter=letter)
    actions.letter_withdraw(actor=mailbox.citizen, letter=letter)
    with pytest.raises(Conflict) as again:
        actions.letter_withdraw(actor=mailbox.citizen, letter=letter)
    assert again.value.extra["rule"] == "done"
    assert AuditEvent.objects.filter(action="portal.letter.withdraw").count() == 1


def test_the_writer_withdraws_on_the_letters_page(client, mailbox):
    letter = mailbox.write()
    client.force_login(mailbox.citizen)
    page = client.get(f"/letters/mine/{letter.number}/").content.decode()
    assert 'id="withdraw-title"' in page and "撤回来信" in page
    response = client.post(f"/letters/mine/{letter.number}/withdraw/", {"reason": "已自行解决", "confirm": "on"})
    assert (response.status_code, response["Location"]) == (302, f"/letters/mine/{letter.number}/")
    page = client.get(response["Location"]).content.decode()
    assert '<span class="govuk-tag" id="status">已撤回</span>' in page
    assert 'id="withdraw-title"' not in page
    assert "已撤回" in client.get("/letters/mine/").content.decode()


def test_an_answered_letter_has_no_withdraw_form_and_a_post_is_refused(client, mailbox):
    letter = _answered(mailbox)
    client.force_login(mailbox.citizen)
    assert 'id="withdraw-title"' not in client.get(f"/letters/mine/{letter.number}/").content.decode()
    response = client.post(f"/letters/mine/{letter.number}/withdraw/", {"reason": ""})
    assert response.status_code == 409
    assert "已答复的来信不能撤回" in response.content.decode()
    client.force_login(mailbox.stranger)
    assert client.post(f"/letters/mine/{letter.number}/withdraw/", {}).status_code == 404


def test_the_api_withdraws_and_answers_409_once_answered(client, mailbox):
    letter = mailbox.write()
    client.force_login(mailbox.citizen)
    response = client.post(f"/api/v1/letters/mine/{letter.number}/withdraw", {"reason": "不需要了"},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    assert [e["move"] for e in response.json()["events"]] == ["write", "withdraw"]
    again = client.post(f"/api/v1/letters/mine/{letter.number}/withdraw", content_type="application/json")
    assert again.status_code == 409 and again.json()["extra"]["rule"] == "done"
    answered = _answered(mailbox)
    refused = client.post(f"/api/v1/letters/mine/{answered.number}/withdraw", {}, content_type="application/json",
                          HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 409 and refused.json()["extra"]["rule"] == "answered"
    assert refused.json()["message"] == (
        "Wuxi Housing Bureau has answered this letter: an answered letter cannot be withdrawn.")
    client.force_login(mailbox.stranger)
    assert client.post(f"/api/v1/letters/mine/{letter.number}/withdraw", {},
                       content_type="application/json").status_code == 404


def test_the_api_refuses_a_letter_without_an_idempotency_key_naming_the_header(client, mailbox):
    client.force_login(mailbox.citizen)
    body = {"topic": "help", "subject": "路灯不亮", "body": "蠡湖大道路灯不亮"}
    response = client.post("/api/v1/letters/mine", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Idempotency-Key header" in response.json()["message"]
    assert response.json()["extra"] == {"field": "idempotency_key", "rule": "required", "header": "Idempotency-Key"}
    assert not Letter.objects.exists()
    # The key in the body is accepted as well (the API's convention, as for applications).
    response = client.post("/api/v1/letters/mine", {**body, "idempotency_key": "body-key-0001"},
                           content_type="application/json")
    assert response.status_code == 200 and Letter.objects.count() == 1


def test_the_masked_copy_keeps_places_and_masks_a_name_across_letter_and_answer(mailbox):
    letter = mailbox.write(subject="梁溪区路灯不亮", body="我叫王小明，住在梁溪区，联系人：王小明。")
    letter = actions.letter_route(actor=mailbox.dispatcher, letter=letter, organization=mailbox.urban)
    letter = actions.letter_answer(actor=mailbox.other_handler, letter=letter, text="王小明您好：梁溪区已修复。")
    assert actions.letter_masked_copy(letter) == (
        "梁溪区路灯不亮", "我叫王**，住在梁溪区，联系人：王**。", "王**您好：梁溪区已修复。")


def test_letters_published_with_place_names_masked_are_masked_again_by_the_migration(mailbox):
    """Copies published with the old names rule kept 梁** for 梁溪区; ``0008_letters_masked_names``
    recomputes them from the texts as written."""
    import importlib  # noqa: PLC0415

    from django.apps import apps  # noqa: PLC0415

    letter = actions.letter_route(actor=mailbox.dispatcher, letter=mailbox.write(subject="梁溪区噪音",
                                                                                 body="梁溪区夜间施工，联系人：李四"),
                                  organization=mailbox.housing)
    letter = actions.letter_answer(actor=mailbox.handler, letter=letter, text="李四您好：已处理。")
    letter = actions.letter_publication_decide(actor=mailbox.dispatcher, letter=letter, publish=True)
    Letter.objects.filter(pk=letter.pk).update(public_subject="梁**噪音", public_body="梁**夜间施工，联系人：李*")
    migration = importlib.import_module("egov.portal.migrations.0008_letters_masked_names")
    migration.letters_mask_again(apps, None)
    letter.refresh_from_db()
    assert (letter.public_subject, letter.public_body, letter.public_answer) == (
        "梁溪区噪音", "梁溪区夜间施工，联系人：李*", "李*您好：已处理。")


def test_the_handlers_notices_are_written_in_both_languages(mailbox):
    """tester9: the routing and withdrawal notices stored their Chinese text in the English fields too
    (the template was translated once, before the notice was composed in each language)."""
    letter = actions.letter_route(actor=mailbox.dispatcher, letter=mailbox.write(), organization=mailbox.housing)
    actions.letter_withdraw(actor=mailbox.citizen, letter=letter)
    routed, withdrawn = Notification.objects.filter(recipient=mailbox.handler).order_by("pk")
    assert routed.subject.startswith(f"来信 {letter.number}")
    assert routed.subject_en.startswith(f"Letter {letter.number} routed to ")
    assert withdrawn.subject_en == f"Letter {letter.number} was withdrawn by its writer; it needs no answer."
    assert withdrawn.subject == f"来信 {letter.number} 已由来信人撤回，无需答复。"


def test_withdrawing_asks_for_a_confirmation_first(client, mailbox):
    # tester21: one press of the button withdrew the letter for good; now a labelled checkbox must
    # be ticked (keyboard and screen readers meet it before the button).
    letter = mailbox.write()
    client.force_login(mailbox.citizen)
    page = client.get(f"/letters/mine/{letter.number}/").content.decode()
    assert 'type="checkbox" name="confirm"' in page and 'for="id_confirm"' in page
    assert "我了解撤回后来信不再办理、不会公开，且无法恢复" in page
    response = client.post(f"/letters/mine/{letter.number}/withdraw/", {"reason": "已自行解决"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and 'href="#id_confirm"' in page
    assert "请勾选确认框，确认撤回这封来信。" in page
    letter.refresh_from_db()
    assert letter.status == LetterStatus.SUBMITTED
    assert not AuditEvent.objects.filter(action="portal.letter.withdraw").exists()


def test_a_withdrawal_refused_because_the_letter_was_answered_meanwhile_shows_the_answered_letter(client, mailbox):
    # tester21: the page still showed the withdraw form (opened before the answer) with the error
    # inside it; now it shows the letter as it is — answered, the answer and the rating form — with
    # the reason in an error summary, and no withdraw form.
    letter = mailbox.write()
    client.force_login(mailbox.citizen)
    assert 'id="withdraw-title"' in client.get(f"/letters/mine/{letter.number}/").content.decode()
    _answer_meanwhile = actions.letter_route(actor=mailbox.dispatcher, letter=letter, organization=mailbox.housing)
    actions.letter_answer(actor=mailbox.handler, letter=_answer_meanwhile, text="已转街道处理。")
    for data in ({"reason": "已自行解决", "confirm": "on"}, {"reason": ""}):
        response = client.post(f"/letters/mine/{letter.number}/withdraw/", data)
        assert response.status_code == 409
        page = response.content.decode()
        assert 'id="withdraw-refused"' in page and "未撤回来信" in page
        assert "无锡市住房和城乡建设局已答复此件，已答复的来信不能撤回。" in page
        assert 'id="withdraw-title"' not in page and 'name="confirm"' not in page
        assert "已转街道处理。" in page and 'id="rate-title"' in page
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.ANSWERED
