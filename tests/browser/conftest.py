"""Playwright on the system Chromium (Debian's package), against pytest-django's live server.

`playwright install` cannot download browsers here, so the tests launch the browser at CHROMIUM_PATH
(default: `chromium` on PATH). Without it they are skipped on a laptop and fail under CI.

The live server runs in the test process, so a clock moved with ``time_machine`` is the clock the pages are rendered
at; the browser keeps the real one (cookies carry a Max-Age, which does not depend on it). With SLM_SCREENSHOTS set
to a folder, ``screenshot`` saves the pages the tests name there, to look at.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.factories import PASSWORD
from tests.services import unavailable
from tests.two_factor import fresh_code, give_authenticator, needs_code

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still plain
# synchronous calls, made between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path():
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def chromium():
    path = chromium_path()
    if not path or not os.path.exists(path):
        unavailable("no Chromium found (install Debian's chromium or set CHROMIUM_PATH)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, live_server):
    """Opens a fresh browser context (its own cookies) on the live server; several may be open at once."""
    contexts = []

    def open_page(locale="en-US", **options):
        """``options`` go to the browser context: ``viewport={"width": 390, "height": 844}`` for a phone."""
        context = chromium.new_context(base_url=live_server.url, locale=locale, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def log_in(page, username, password=PASSWORD):
    """Signs in through the form; an admin or service manager (or anyone with two-factor sign-in on) is given an
    authenticator app with a known key, and the code it shows is entered on the code page."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    device = give_authenticator(user, tolerance=5) if needs_code(user) else None
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if device is not None:
        page.wait_for_url(lambda url: "/accounts/two-factor/code/" in url)
        page.fill("#id_code", fresh_code(device))
        page.click("#two-factor-code button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/two-factor/" not in url)
    return page


def screenshot(page, name):
    """Saves the whole page as SLM_SCREENSHOTS/<name>.png when SLM_SCREENSHOTS is set; does nothing otherwise."""
    folder = os.environ.get("SLM_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        file_name = re.sub(r"[^\w.-]+", "-", name) + ".png"
        page.screenshot(path=str(Path(folder) / file_name), full_page=True)


# Elements reaching past the right edge of the window, except inside a .table-responsive (which scrolls on its own),
# and how far the page itself scrolls sideways.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const over = Array.from(document.body.querySelectorAll("*")).filter((element) => {
    if (element.closest(".table-responsive") || element.closest("svg")) return false;
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.right > width + 1;
  }).map((element) => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
                      + (element.className && element.className.baseVal === undefined
                         ? "." + String(element.className).trim().split(/\\s+/).join(".") : ""));
  return {scroll: document.documentElement.scrollWidth - width, over: over};
}"""


def overflow(page):
    """{"scroll": how far the page scrolls sideways, "over": the elements that reach past the window's right edge
    outside a .table-responsive}; both empty (0, []) on a page that fits."""
    return page.evaluate(OVERFLOW)
