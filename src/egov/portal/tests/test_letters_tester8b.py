"""Letters to the mayor: what a fresh tester broke (tester8b, session 8), on real PostgreSQL."""

import pytest

from egov.core.errors import NotFound
from egov.portal import actions_letters as actions
from egov.portal.demo_letters import demo_letters_load
from egov.portal.models_letters import Letter, LetterStatus, Publication
from egov.portal.selectors_letters import letter_get_for_staff, published_letters, staff_queue

pytestmark = pytest.mark.django_db


def test_the_demo_citizen_can_write_at_once_after_the_demo_is_loaded(mailbox):
    """The three demo letters were written "now": the demo citizen met the 3-an-hour limit and the
    README's first step (write as the demo citizen) was refused for an hour."""
    demo_letters_load(citizen_username=mailbox.citizen.username, dispatcher_username=mailbox.dispatcher.username,
                      handlers={mailbox.housing.name: mailbox.handler.username,
                                mailbox.urban.name: mailbox.other_handler.username})
    assert Letter.objects.filter(writer=mailbox.citizen).count() == 3
    letter = actions.letter_write(actor=mailbox.citizen, topic="consultation", subject="第四封信", body="试一试。",
                                  publish_consent=False, idempotency_key="fourth-letter")
    assert letter.status == LetterStatus.SUBMITTED


def test_a_published_letter_reopened_is_withdrawn_and_published_again_with_its_new_answer(mailbox):
    """Rated 不满意 and reopened after publication, the letter kept showing the first answer on the
    public pages, and the second answer never reached the dispatcher's 待公开 list."""
    letter = actions.letter_route(actor=mailbox.dispatcher, letter=mailbox.write(), organization=mailbox.housing)
    letter = actions.letter_answer(actor=mailbox.handler, letter=letter, text="已转街道处理。")
    letter = actions.letter_publication_decide(actor=mailbox.dispatcher, letter=letter, publish=True)
    assert list(published_letters()) == [letter]
    letter = actions.letter_rate(actor=mailbox.citizen, letter=letter, rating="dissatisfied", reopen=True)
    assert (letter.publication, letter.public_answer) == (Publication.PENDING, "")
    assert list(published_letters()) == []
    letter = actions.letter_answer(actor=mailbox.handler, letter=letter, text="已调整装卸时间至七点后。")
    assert letter in staff_queue(user=mailbox.dispatcher)["to_publish"]
    letter = actions.letter_publication_decide(actor=mailbox.dispatcher, letter=letter, publish=True)
    assert letter.public_answer == "已调整装卸时间至七点后。"


def test_the_dispatcher_sees_the_masked_text_before_deciding_publication(client, mailbox):
    """The staff page showed only the letter as written: the dispatcher, who must check what the
    name tagger missed (docs/letters.md), could not see what would be published until it was."""
    letter = mailbox.write(body="我是张𠮷明，电话13912345678，住锦绣苑3栋2单元501室。")
    letter = actions.letter_route(actor=mailbox.dispatcher, letter=letter, organization=mailbox.housing)
    actions.letter_answer(actor=mailbox.handler, letter=letter, text="张𠮷明您好：已处理。")
    client.force_login(mailbox.dispatcher)
    page = client.get(f"/staff/letters/{letter.number}/").content.decode()
    preview = page[page.index('id="publication-preview"'):]
    assert "我是张**，电话139****5678，住锦绣苑*栋*单元***室。" in preview
    assert "张**您好：已处理。" in preview
    assert "13912345678" not in preview
    client.force_login(mailbox.handler)  # a handler decides no publication: no preview
    assert 'id="publication-preview"' not in client.get(f"/staff/letters/{letter.number}/").content.decode()


def test_a_handler_who_sent_a_letter_back_no_longer_sees_it_or_its_writer(client, mailbox):
    """Sent back, a letter still showed the handler the writer's name, identity number and phone (and
    audited the read) until the dispatcher routed it elsewhere; it is no longer routed to them."""
    letter = actions.letter_route(actor=mailbox.dispatcher, letter=mailbox.write(), organization=mailbox.housing)
    client.force_login(mailbox.handler)
    response = client.post(f"/staff/letters/{letter.number}/steps/send_back/", {"send_back-reason": "属城管职责"})
    assert (response.status_code, response["Location"]) == (302, "/staff/letters/")
    with pytest.raises(NotFound):
        letter_get_for_staff(user=mailbox.handler, number=letter.number)
    assert client.get(f"/staff/letters/{letter.number}/").status_code == 404
    assert letter_get_for_staff(user=mailbox.dispatcher, number=letter.number).status == LetterStatus.RETURNED


def test_letters_published_before_the_fix_are_masked_again_by_the_migration(mailbox):
    """Copies published with the old masking kept an identity number written in groups; the data
    migration ``0006_letters_masked_again`` recomputes them."""
    import importlib  # noqa: PLC0415

    from django.apps import apps  # noqa: PLC0415

    letter = actions.letter_route(actor=mailbox.dispatcher, letter=mailbox.write(body="身份证 320102 19800101 1234"),
                                  organization=mailbox.housing)
    letter = actions.letter_answer(actor=mailbox.handler, letter=letter, text="已处理。")
    letter = actions.letter_publication_decide(actor=mailbox.dispatcher, letter=letter, publish=True)
    Letter.objects.filter(pk=letter.pk).update(public_body="身份证 320102 19800101 1234")  # as published before
    migration = importlib.import_module("egov.portal.migrations.0006_letters_masked_again")
    migration.letters_mask_again(apps, None)
    letter.refresh_from_db()
    assert letter.public_body == "身份证 3201**********1234"
