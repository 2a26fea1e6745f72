"""Kiosk mode (政务服务站) and large text (适老化) on the public site (issue 21, item 5), without a
browser: the cookies, the pages' classes, ending a kiosk session. The idle countdown itself runs in
the browser: test_browser_display.py."""

import pytest

from egov.services.tests.factories import USCC_A, make_item, make_organization


@pytest.fixture
def items(db):
    market = make_organization(name="无锡市市场监督管理局")
    return [make_item(market, code=f"{USCC_A}01{main:07d}00000", name=name, themes=themes)
            for main, name, themes in ((101, "公司登记", ["establishment"]), (102, "公司注销登记", ["establishment"]),
                                       (103, "食品经营许可", ["operating_permits"]))]


def test_kiosk_home_sets_the_device_cookie_and_lists_ways_in(client, items):
    response = client.get("/kiosk/")
    assert response.status_code == 200
    assert response.cookies["egov_kiosk"].value == "1" and response.cookies["egov_kiosk"]["httponly"]
    assert client.session.get_expire_at_browser_close()
    page = client.get("/kiosk/").content.decode()
    assert "egov-kiosk" in page.split("<body", 1)[1].split(">", 1)[0]
    assert 'id="kiosk-end"' in page and 'data-idle="120" data-warn="30"' in page and "egov/kiosk.js" in page
    assert 'href="/services/?theme=establishment"' in page and 'href="/services/?theme=operating_permits"' in page
    assert f'href="/services/?organization={items[0].organization_id}"' in page
    assert 'href="?keys=g"' in page


@pytest.mark.parametrize(("keys", "expected"), [
    ("gsdj", ["公司登记"]), ("gs", ["公司登记", "公司注销登记"]), ("spjy", ["食品经营许可"]),
    ("GS1<>", ["公司登记", "公司注销登记"]),
])
def test_kiosk_keypad_finds_items_by_initials(client, items, keys, expected):
    response = client.get("/kiosk/", {"keys": keys})
    assert [item.name for item in response.context["items"]] == expected
    page = response.content.decode()
    assert f'href="?keys={response.context["keys"]}d"' in page  # the next letter appends
    assert f'href="?keys={response.context["keys"][:-1]}" id="kiosk-back"' in page


def test_kiosk_keypad_asks_for_a_second_letter_and_says_when_nothing_begins_so(client, items):
    assert client.get("/kiosk/", {"keys": "g"}).context["short"] is True
    assert 'id="kiosk-items-none"' in client.get("/kiosk/", {"keys": "zz"}).content.decode()


def test_ending_a_kiosk_session_signs_out_and_goes_home(client, items, citizen):
    client.get("/kiosk/")
    client.force_login(citizen.user)
    assert "_auth_user_id" in client.session
    assert client.get("/kiosk/end/").status_code == 405  # only the form (or the idle timer) ends it
    response = client.post("/kiosk/end/")
    assert response.status_code == 302 and response["Location"] == "/kiosk/"
    assert "_auth_user_id" not in client.session
    assert client.cookies["egov_kiosk"].value == "1"  # still a kiosk


def test_leaving_kiosk_mode_drops_the_cookie(client, items):
    client.get("/kiosk/")
    response = client.post("/kiosk/leave/")
    assert response.status_code == 302 and response.cookies["egov_kiosk"].value == ""
    assert "egov-kiosk" not in client.get("/").content.decode().split("<body", 1)[1].split(">", 1)[0]


def test_large_text_toggle_persists_in_a_cookie(client, items):
    page = client.get("/search/").content.decode()
    assert 'name="large" value="1" id="text-size-toggle" aria-pressed="false"' in page
    response = client.post("/display/text-size/", {"large": "1", "next": "/search/?q=gsdj"})
    assert response.status_code == 302 and response["Location"] == "/search/?q=gsdj"
    assert response.cookies["egov_large_text"].value == "1" and response.cookies["egov_large_text"]["max-age"] > 0
    for path in ("/", "/search/?q=gsdj", "/services/", "/disclosure/", "/kiosk/"):
        page = client.get(path).content.decode()
        assert "egov-large-text" in page.split("<body", 1)[1].split(">", 1)[0], path
        assert 'name="large" value="0" id="text-size-toggle" aria-pressed="true"' in page, path
    response = client.post("/display/text-size/", {"large": "0", "next": "/"})
    assert response.cookies["egov_large_text"].value == ""
    assert "egov-large-text" not in client.get("/").content.decode().split("<body", 1)[1].split(">", 1)[0]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", ""])
def test_the_toggle_returns_only_to_this_site(client, db, target):
    assert client.post("/display/text-size/", {"large": "1", "next": target})["Location"] == "/"
