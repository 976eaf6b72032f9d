"""Member-written Markdown, rendered and sanitised: the only way user text becomes HTML."""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# CommonMark without raw HTML; links and images are re-checked by nh3 below.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.disable("image")

ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre",
                "h3", "h4", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str | None) -> Markup:
    """Render Markdown to safe HTML: no raw HTML, no scripts, links marked nofollow."""
    return _render(text) if text else Markup("")


# The HTML depends on the text alone: texts shown again and again (a group's presentation on
# its page) are rendered once per worker.
@lru_cache(maxsize=512)
def _render(text: str) -> Markup:
    html = _md.render(text)
    # Headings written by members stay below the page's own h1/h2.
    for level, target in (("h1", "h3"), ("h2", "h3"), ("h5", "h4"), ("h6", "h4")):
        html = html.replace(f"<{level}>", f"<{target}>").replace(f"</{level}>", f"</{target}>")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"},
                      link_rel="nofollow noopener ugc")
    # Sanitised by nh3 just above.
    return Markup(clean)  # noqa: S704  # nosec B704


def init_app(app) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
