"""The one sign-in helper of the documents' browser tests."""

from playwright.sync_api import expect

PHONE = {"width": 375, "height": 812}


def staff_sign_in(browser, url: str, username: str, password: str, *, backup_code: str | None = None,
                  viewport: dict | None = None, timeout_ms: int = 15_000):
    """A new browser context signed in to the staff site at ``url`` as ``username`` (passing the second
    factor with ``backup_code`` when given), Chinese locale, ``viewport`` (default a 375 px phone);
    returns ``(context, page)``, the page on the staff home page."""
    context = browser.new_context(locale="zh-CN", viewport=viewport or PHONE)
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    page.goto(url + "/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    if backup_code:
        page.fill("#id_token", backup_code)
        page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_be_visible()
    return context, page
