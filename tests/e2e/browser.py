"""Drive Debian's Chromium like a member on a small phone: by touch, without JS, or by keyboard.

`Visitor` is what a journey talks to. Its `mode` says how the member browses:
- "js": JavaScript on, taps and typing (htmx swaps happen and are asserted);
- "nojs": JavaScript off, the plain forms and links;
- "keyboard": JavaScript on, only Tab, Space, typing and Enter; every focus stop must show.
Every page the journey reaches is checked with axe-core (`visitor.check(name)`).
"""

import re
from importlib.resources import files
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"viewport": {"width": 360, "height": 640}, "has_touch": True, "is_mobile": True,
         "device_scale_factor": 1, "locale": "fr-FR"}
MODES = ("js", "nojs", "keyboard")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"

# axe-core as pinned inside the axe-playwright-python wheel (version in the file's first line).
AXE_SOURCE = (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
AXE_VERSION = re.search(r"axe v([\d.]+)", AXE_SOURCE[:200]).group(1)
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MAX_TABS = 80


def context_options(mode: str) -> dict:
    """Browser context settings for a browsing mode."""
    return {**PHONE, "java_script_enabled": mode != "nojs"}


def axe_violations(page: Page) -> list[str]:
    """Run axe-core's WCAG 2.1 AA rules on the page; describe each violation in one line.

    The source goes in through the DevTools protocol (page.evaluate), which our CSP (no inline
    scripts) does not block. The page must have JavaScript on: see `Visitor.check` for pages
    seen without it.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})", WCAG_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results["violations"]
    ]


def assert_accessible(page: Page, name: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core {AXE_VERSION} on {name} ({page.url}):\n" + "\n".join(
        violations)


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as screenshots/<name>.png, as a 360 px phone shows it."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


class Visitor:
    """One member browsing one page, in one mode; the journeys speak through it."""

    def __init__(self, page: Page, base_url: str, mode: str):
        self.page, self.base_url, self.mode = page, base_url, mode
        self.js = mode != "nojs"
        self.keyboard = mode == "keyboard"
        self.checked: list[str] = []
        self._document = None  # the last page received, for checking it when JS is off
        self._axe_page = None
        if not self.js:
            page.on("response", self._remember_document)

    def _remember_document(self, response) -> None:
        redirect = 300 <= response.status < 400
        if response.request.resource_type == "document" and not redirect:
            self._document = response

    def close(self) -> None:
        if self._axe_page is not None:
            self._axe_page.context.close()
        self.page.context.close()

    # --- going places ---------------------------------------------------------------------

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path if path.startswith("/") else path)

    def expect_page(self, heading: str | re.Pattern) -> None:
        """Wait for the page whose main heading is `heading`."""
        try:
            expect(self.page.locator("main h1")).to_have_text(heading)
        except AssertionError as error:
            messages = self.page.locator(".error, .flash").all_inner_texts()
            raise AssertionError(f"{error}\nMessages on the page: {messages}") from None

    def check(self, name: str) -> None:
        """Check the page now shown with axe-core.

        axe needs JavaScript: without it, the HTML this member received is shown again, at
        the same address and with the same styles, in a page that runs JavaScript.
        """
        self.page.wait_for_load_state()
        if self.js:  # settled: no htmx request in flight (a button fades while it waits)
            expect(self.page.locator(".htmx-request")).to_have_count(0)
        target = self.page
        if not self.js:
            target = self._replay(self._document)
        assert_accessible(target, f"{name} [{self.mode}]")
        self.checked.append(name)

    def _replay(self, response) -> Page:
        if self._axe_page is None:
            self._axe_page = self.page.context.browser.new_context(**PHONE).new_page()
        body = response.body()
        page = self._axe_page
        page.route(response.url, lambda route: route.fulfill(
            status=200, body=body, content_type="text/html; charset=utf-8"))
        try:
            page.goto(response.url)
        finally:
            page.unroute(response.url)
        return page

    # --- acting ---------------------------------------------------------------------------

    def link(self, name: str, scope: Locator | None = None) -> None:
        self._activate((scope or self.page).get_by_role("link", name=name, exact=True))

    def button(self, name: str, scope: Locator | None = None) -> None:
        self._activate((scope or self.page).get_by_role("button", name=name, exact=True))

    def fill(self, label: str, value: str) -> None:
        field = self.page.get_by_label(label, exact=True)
        if self.keyboard:
            self.tab_to(field)
            self.page.keyboard.press("Control+A")
            self.page.keyboard.type(value)
        else:
            field.fill(value)

    def tick(self, label: str) -> None:
        box = self.page.get_by_label(label, exact=True)
        if self.keyboard:
            self.tab_to(box)
            self.page.keyboard.press("Space")
            expect(box).to_be_checked()
        else:
            box.check()

    def choose(self, label: str, option: str) -> None:
        """Pick an option of a select by its visible text."""
        select = self.page.get_by_label(label, exact=True)
        if self.keyboard:
            self.tab_to(select)
            self.page.keyboard.press("Home")
            for _ in range(select.locator("option").count()):
                if select.locator("option:checked").inner_text() == option:
                    break
                self.page.keyboard.press("ArrowDown")
            expect(select.locator("option:checked")).to_have_text(option)
            expect(select).to_be_focused()
        else:
            select.select_option(label=option)

    def _activate(self, target: Locator) -> None:
        if self.keyboard:
            self.tab_to(target)
            self.page.keyboard.press("Enter")
        else:
            target.tap() if self.js else target.click()

    # --- keyboard -------------------------------------------------------------------------

    def tab_to(self, target: Locator) -> None:
        """Press Tab until `target` has the focus, checking that every stop shows its focus."""
        expect(target).to_be_visible()
        for _ in range(MAX_TABS):
            if target.evaluate("e => e === document.activeElement"):
                return
            self.page.keyboard.press("Tab")
            self.assert_focus_visible()
        raise AssertionError(f"{target} cannot be reached with Tab on {self.page.url}")

    def assert_focus_visible(self) -> None:
        """The focused element, if any, draws a visible outline."""
        shown = self.page.evaluate("""() => {
            const e = document.activeElement;
            if (!e || e === document.body) return true;
            // Focus inside a control's own parts (the picker button of a date field):
            // the browser draws that ring itself, not our stylesheet.
            if (!e.matches(':focus')) return true;
            const s = getComputedStyle(e);
            return e.matches(':focus-visible') && s.outlineStyle !== 'none'
                && parseFloat(s.outlineWidth) >= 2;
        }""")
        assert shown, "focus is not visible on " + self.page.evaluate(
            "document.activeElement.outerHTML.slice(0, 120)")

    # --- htmx -----------------------------------------------------------------------------

    def mark(self) -> None:
        """Leave a mark in the window: it survives an htmx swap, not a page load."""
        self.page.evaluate("window.__coopolMark = 'same page'")

    def assert_same_page(self) -> None:
        """The change came from an htmx swap: the window was not reloaded."""
        assert self.page.evaluate("window.__coopolMark") == "same page"
