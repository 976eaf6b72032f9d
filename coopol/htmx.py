"""Page or fragment: the one place that reads HTMX request headers."""

from flask import get_flashed_messages, redirect, render_template, request
from jinja2_fragments.flask import render_block


def is_htmx() -> bool:
    """Tell whether htmx sent this request (boosted or not)."""
    return request.headers.get("HX-Request") == "true"


def is_partial() -> bool:
    """Tell whether to answer with a fragment: htmx, not boosted, not a history restore."""
    headers = request.headers
    return (
        is_htmx()
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def flashes_oob() -> str:
    """Render pending flash messages as an out-of-band swap of the flash region."""
    messages = get_flashed_messages(with_categories=True)
    return render_template("_flashes.html", messages=messages, oob=True)


def render(template: str, block: str | None = None, status: int = 200, **context):
    """Render the whole page, or only `block` (plus flashes) for a partial htmx request."""
    if block and is_partial():
        html = render_block(template, block, **context) + flashes_oob()
        return html, status
    return render_template(template, **context), status


def hx_redirect(url: str):
    """Redirect a plain form with 303, an htmx request with HX-Redirect."""
    if is_htmx():
        return "", 204, {"HX-Redirect": url}
    return redirect(url, 303)


def add_vary(response):
    """Tell caches that the answer depends on HX-Request."""
    response.vary.add("HX-Request")
    return response
