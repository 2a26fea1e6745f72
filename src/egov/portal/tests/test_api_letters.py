"""The letters API (/api/v1/letters/): published letters masked, writing with a key, 429 on a flood,
404 for another's letter, rating."""

import pytest

from egov.portal import actions_letters as actions

pytestmark = pytest.mark.django_db


def test_write_follow_and_rate(client, mailbox, settings):
    client.force_login(mailbox.citizen)
    body = {"topic": "help", "subject": "路灯不亮", "body": "<script>x</script>蠡湖大道路灯不亮",
            "publish_consent": True}
    response = client.post("/api/v1/letters/mine", body, content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="api-letter-0001")
    assert response.status_code == 200, response.content
    number = response.json()["number"]
    assert response.json()["status"] == "submitted" and response.json()["body"].startswith("<script>")
    again = client.post("/api/v1/letters/mine", body, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="api-letter-0001")
    assert again.json()["number"] == number
    settings.EGOV_LETTERS_PER_ACCOUNT_HOUR = 1
    flood = client.post("/api/v1/letters/mine", body, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="api-letter-0002")
    assert flood.status_code == 429 and int(flood["Retry-After"]) > 3500
    assert flood.json()["extra"]["rule"] == "rate_limit"
    letter = mailbox.citizen.letters.get()
    actions.letter_route(actor=mailbox.dispatcher, letter=letter, organization=mailbox.urban)
    actions.letter_answer(actor=mailbox.other_handler, letter=letter, text="已修复。")
    rated = client.post(f"/api/v1/letters/mine/{number}/rating", {"rating": "fairly", "comment": "慢了点"},
                        content_type="application/json")
    assert rated.status_code == 200 and rated.json()["status"] == "closed"
    assert [e["move"] for e in rated.json()["events"]] == ["write", "route", "answer", "rate"]
    client.force_login(mailbox.stranger)
    assert client.get(f"/api/v1/letters/mine/{number}").status_code == 404


def test_published_letters_are_masked(client, mailbox):
    letter = mailbox.write(body="我叫王小明，电话13912345678。")
    actions.letter_route(actor=mailbox.dispatcher, letter=letter, organization=mailbox.housing)
    actions.letter_answer(actor=mailbox.handler, letter=letter, text="王小明您好：已处理。")
    assert client.get(f"/api/v1/letters/{letter.number}").status_code == 404  # not yet published
    actions.letter_publication_decide(actor=mailbox.dispatcher, letter=letter, publish=True)
    listed = client.get("/api/v1/letters/").json()
    assert listed["count"] == 1 and listed["items"][0]["body"] == "我叫王**，电话139****5678。"
    assert client.get(f"/api/v1/letters/{letter.number}").json()["answer"] == "王**您好：已处理。"
    stats = client.get("/api/v1/letters/statistics").json()
    assert stats["total"]["letters"] == 1 and stats["total"]["answered"] == 1
    assert stats["organizations"][0]["label"] == "无锡市住房和城乡建设局"
