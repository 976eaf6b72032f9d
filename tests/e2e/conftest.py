"""Browser-test fixtures: one live server and one Chromium for the whole run.

The unit tests' per-test database (tests/conftest.py) is not needed here: the browser talks to
its own server, on its own database, so `_context` is replaced by a no-op.
"""

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, MODES, Visitor, context_options
from tests.e2e.server import DEMO_PASSWORD, LiveServer

# Members of the demo data, by the role a page needs.
ACCOUNTS = {
    "member": "lea@demo.coopol.fr",
    "secretary": "secretaire.grenoble@demo.coopol.fr",
    "admin": "admin@demo.coopol.fr",
}

expect.set_options(timeout=10_000)


@pytest.fixture(autouse=True)
def _context():
    """Override the unit tests' database fixture: the server has its own database."""
    yield


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("e2e"))
    yield live
    live.stop()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_page(browser, mode: str, storage_state=None):
    context = browser.new_context(**context_options(mode), storage_state=storage_state)
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture(scope="session")
def storage_states(browser, server):
    """Log each demo role in once, through the login form; reuse the cookies afterwards."""
    states = {None: None}
    for role, email in ACCOUNTS.items():
        page = new_page(browser, "js")
        page.goto(server.url + "/auth/login")
        page.get_by_label("Adresse e-mail", exact=True).fill(email)
        page.get_by_label("Mot de passe", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Me connecter").click()
        expect(page.get_by_role("button", name="Déconnexion")).to_be_visible()
        states[role] = page.context.storage_state()
        page.context.close()
    return states


@pytest.fixture(params=MODES)
def visitor(request, browser, server):
    """A fresh, logged-out phone browsing in each mode: JS on, JS off, keyboard only."""
    page = new_page(browser, request.param)
    visitor = Visitor(page, server.url, request.param)
    yield visitor
    visitor.close()
