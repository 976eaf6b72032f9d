"""Boxes that a blueprint adds to another's page, so that the page never imports it.

Dependencies point one way (profile <- groups <- events): a page that shows what a blueprint
above it knows sends a signal, and that blueprint's receiver answers with a template and its
context. The page shows the rendered boxes; each receiver makes a bounded query or two.
"""

from blinker import Namespace
from flask import render_template
from markupsafe import Markup

signals = Namespace()
# Sent with the member, on their own profile page.
showing_profile = signals.signal("showing-profile")


def gather(signal, sender, **kwargs) -> list[Markup]:
    """Render the boxes that receivers of the signal add to the page, as (template, context)."""
    boxes = [part for _receiver, part in signal.send(sender, **kwargs) if part]
    # Our own autoescaped templates: their output is safe HTML, member text stays escaped.
    return [Markup(render_template(template, **context))  # noqa: S704  # nosec B704
            for template, context in boxes]
