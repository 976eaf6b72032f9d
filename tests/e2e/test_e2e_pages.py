"""Every main page, first visit on an empty cache: weight as transferred, headers, axe, screenshot.

Budgets (docs/performance.md): a first visit (HTML, CSS, JS, images, as transferred,
compressed) ≤ 30 KB; a page's HTML ≤ 15 KB compressed; no web fonts.
"""

import pytest

from tests.e2e.browser import SCREENSHOTS, assert_accessible, context_options, screenshot
from tests.e2e.pages import PAGES

FIRST_VISIT_BUDGET = 30 * 1024
HTML_BUDGET = 15 * 1024
YEAR = 365 * 24 * 3600
COMPRESSED = {"br", "gzip", "zstd"}  # flask-compress answers in the best one the browser takes


class Transfers:
    """What the browser fetched for one page, as Chromium's network layer counted it."""

    def __init__(self, page):
        self.responses, self.sizes = {}, {}
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})

    def _received(self, event):
        self.responses[event["requestId"]] = event

    def _finished(self, event):
        self.sizes[event["requestId"]] = event["encodedDataLength"]

    def fetched(self):
        """(resource type, url, headers, bytes on the wire) for each finished response."""
        for request_id, size in self.sizes.items():
            event = self.responses[request_id]
            headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
            yield event["type"], event["response"]["url"], headers, size


@pytest.fixture(scope="module")
def weights():
    """Write what each page weighed to screenshots/weights.tsv, beside its picture."""
    rows = {}
    yield rows
    SCREENSHOTS.mkdir(exist_ok=True)
    lines = ["page\twho\thtml_bytes\tfirst_visit_bytes"]
    lines += [f"{name}\t{who}\t{html}\t{total}" for name, (who, html, total) in rows.items()]
    (SCREENSHOTS / "weights.tsv").write_text("\n".join(lines) + "\n")


@pytest.fixture
def first_visit(browser, storage_states):
    """Open a page as `who`, on a fresh phone with an empty cache; count what it fetched."""
    contexts = []

    def visit(url, who):
        context = browser.new_context(**context_options("js"), storage_state=storage_states[who])
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        transfers = Transfers(page)
        response = page.goto(url, wait_until="networkidle")
        return page, list(transfers.fetched()), response.status

    yield visit
    for context in contexts:
        context.close()


@pytest.mark.parametrize("entry", PAGES, ids=lambda p: p.name)
def test_page_is_light_compressed_cached_and_accessible(entry, first_visit, server, weights):
    page, fetched, status = first_visit(entry.url(server), entry.who)
    assert status == entry.status
    total = sum(size for *_, size in fetched)
    report = "\n".join(f"  {size:6d} B {kind:10s} {url}" for kind, url, _, size in fetched)
    documents = [f for f in fetched if f[0] == "Document"]
    assert len(documents) == 1, report
    _, _, html_headers, html_size = documents[0]
    weights[entry.name] = (entry.who or "visitor", html_size, total)

    assert html_size <= HTML_BUDGET, f"HTML of {entry.name}: {html_size} B\n{report}"
    assert total <= FIRST_VISIT_BUDGET, f"first visit of {entry.name}: {total} B\n{report}"
    if entry.status < 300:  # flask-compress leaves error pages (~2 KB) alone
        assert html_headers.get("content-encoding") in COMPRESSED, html_headers
    assert not [f for f in fetched if f[0] == "Font"], f"no web fonts\n{report}"
    for kind, url, headers, _ in fetched:
        if "/static/" in url:
            assert "?v=" in url, f"{url} is not versioned"
            assert f"max-age={YEAR}" in headers.get("cache-control", ""), (url, headers)
            if kind in {"Stylesheet", "Script"}:
                assert headers.get("content-encoding") in COMPRESSED, (url, headers)

    assert_accessible(page, entry.name)
    screenshot(page, entry.name)
