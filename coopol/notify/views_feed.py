"""The member's feed, page after page (the home page shows its first page)."""

from flask_login import current_user, login_required

from ..htmx import render
from ..pagination import page_arg
from . import bp
from .feed import feed_page


@bp.route("/feed")
@login_required
def feed():
    """Show a page of my feed; htmx's "more" button gets only the next items."""
    page = page_arg()
    items, more = feed_page(current_user, page)
    return render("notify/feed.html", "feed_items", items=items, more=more, page=page)
