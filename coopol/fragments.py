"""HTML fragments kept in memory under the very values they show.

A list read many times a second (the events near me) renders the same cards again and again.
`FragmentCache` keeps each rendered fragment under a key made of everything the template
reads, plus the reader's language, time zone and the site's root URL: the same key always
renders the same HTML, so an entry is never stale and no write has to invalidate anything;
a changed value is simply a new key, and the old entry ages out of a bounded LRU. Each app
(each worker process) has its own store.
"""

import threading
from collections import OrderedDict

from flask import current_app, g, request
from flask_babel import get_locale, get_timezone
from markupsafe import Markup


class FragmentCache:
    """Rendered fragments of one template, at most `maxsize` per app, least recent out first."""

    def __init__(self, template: str, maxsize: int = 4096):
        self.template = template
        self.maxsize = maxsize
        self.lock = threading.Lock()

    def _store(self) -> OrderedDict:
        stores = current_app.extensions.setdefault("coopol.fragments", {})
        return stores.setdefault(self, OrderedDict())

    def render(self, key: tuple, **context) -> Markup:
        """Return the template rendered with `context`; `key` must hold all it depends on."""
        store = self._store()
        reader = g.get("fragment_reader")
        if reader is None:  # once a request: a list asks for many fragments
            reader = g.fragment_reader = (str(get_locale()), str(get_timezone()),
                                          request.script_root)
        full_key = (key, reader)
        with self.lock:
            html = store.get(full_key)
            if html is not None:
                store.move_to_end(full_key)
                return html
        # The template is autoescaped (.html): its output is already safe HTML.
        template = current_app.jinja_env.get_template(self.template)
        html = Markup(template.render(**context))  # noqa: S704  # nosec B704
        with self.lock:
            store[full_key] = html
            if len(store) > self.maxsize:
                store.popitem(last=False)
        return html


def form_key(form, fields=None) -> tuple:
    """Return everything a form's fields (or those named) render from: each field's data,
    choices and errors.

    Labels, hints and attributes belong to the form's class (and the language, which
    `FragmentCache` adds), so the class name stands for them.
    """
    return (type(form).__qualname__,) + tuple(
        (field.name, repr(field.data),
         tuple(tuple(map(str, choice)) for choice in getattr(field, "choices", None) or ()),
         tuple(map(str, field.errors)))
        for field in form if fields is None or field.name in fields)
