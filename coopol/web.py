"""Cross-cutting web behaviour: security headers, versioned static URLs, locale, error pages."""

import hashlib
from functools import cache
from pathlib import Path

from flask import Request, current_app, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from markupsafe import Markup, escape
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from .errors import Refusal
from .extensions import db
from .forms import ID_MAX
from .fragments import FragmentCache
from .htmx import add_vary, is_htmx

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'none'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


# Control characters have no place in anything a person types; NUL also breaks PostgreSQL.
_CONTROLS = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")
_CONTROLS[127] = None


def strip_controls(text: str) -> str:
    return text.translate(_CONTROLS)


class CleanMultiDict(ImmutableMultiDict):
    """Request arguments and form fields without control characters."""

    def __init__(self, mapping=None):
        if isinstance(mapping, MultiDict):
            mapping = mapping.items(multi=True)
        elif isinstance(mapping, dict):
            mapping = mapping.items()
        if mapping is not None:
            mapping = [(strip_controls(k), strip_controls(v) if isinstance(v, str) else v)
                       for k, v in mapping]
        super().__init__(mapping)


class CoopolRequest(Request):
    parameter_storage_class = CleanMultiDict


def security_headers(response):
    """Add the CSP and the other protective headers to every answer."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if current_user.is_authenticated and not request.path.startswith("/static/"):
        headers.setdefault("Cache-Control", "private, no-store")
    return add_vary(response)


@cache
def _static_version(folder: str, filename: str) -> str:
    path = Path(folder) / filename
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else "0"


def static_version(endpoint, values):
    """Give every static URL a content hash, so it can be cached for a year."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        values["v"] = _static_version(current_app.static_folder, values["filename"])


def safe_next(target: str | None) -> str | None:
    """Accept a `next` URL only if it stays on this site (a path, no scheme, no host)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


def select_locale():
    """Pick the member's chosen language, else the browser's, else French."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def error_page(error):
    """Render an HTTP error in the site's style; for htmx, show it in the flash region."""
    if isinstance(error, CSRFError):
        code, message = 400, _(
            "Le formulaire a expiré ou n'est pas valide. Recharge la page et réessaie."
        )
    elif isinstance(error, HTTPException):
        code, message = error.code or 500, None
    else:
        current_app.logger.exception("Erreur non prévue sur %s", request.path)
        code, message = 500, None
    titles = {
        400: _("Requête incorrecte"),
        403: _("Accès refusé"),
        404: _("Page introuvable"),
        405: _("Méthode non permise"),
        413: _("Envoi trop volumineux"),
        429: _("Trop de tentatives"),
        500: _("Erreur du serveur"),
    }
    texts = {
        403: _("Cette page ou cette action n'est pas ouverte à ton compte."),
        404: _("Cette page n'existe pas ou plus."),
        429: _("Trop de tentatives en peu de temps. Attends un peu avant de réessayer."),
        500: _("Quelque chose s'est mal passé de notre côté. Rien n'a été enregistré."),
    }
    title = titles.get(code, _("Erreur"))
    message = message or texts.get(code) or title
    if is_htmx():
        html = render_template(
            "_flashes.html", messages=[("error", message)], oob=False
        )
        return html, code, {"HX-Retarget": "#flashes", "HX-Reswap": "innerHTML"}
    return render_template("errors/error.html", code=code, title=title, message=message), code


def refused(error: Refusal):
    """Show a refused action's message; nothing of the request is kept."""
    db.session.rollback()
    if is_htmx():
        html = render_template("_flashes.html", messages=[("error", error.message)], oob=False)
        return html, error.status, {"HX-Retarget": "#flashes", "HX-Reswap": "innerHTML"}
    return render_template("errors/error.html", code=error.status, title=_("Action impossible"),
                           message=error.message), error.status


class IdConverter(IntegerConverter):
    """`<int:…>` in a URL: an id past the databases' INTEGER is a 404, not a database error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def init_app(app):
    """Wire the cross-cutting behaviour into the app (before the blueprints add their routes)."""
    app.url_map.converters["int"] = IdConverter
    app.request_class = CoopolRequest
    app.after_request(security_headers)
    app.url_defaults(static_version)
    app.register_error_handler(HTTPException, error_page)
    app.register_error_handler(CSRFError, error_page)
    app.register_error_handler(Refusal, refused)
    if not app.debug and not app.testing:
        app.register_error_handler(Exception, error_page)

    @app.context_processor
    def inject_helpers():
        return {"current_locale": select_locale(), "static_url": _static_url,
                "site_header": site_header}


header = FragmentCache("_header.html", maxsize=512)
CSRF_SLOT = "--coopol-csrf-token--"


def site_header() -> Markup:
    """Return the site header: the same for every reader of a page with the same rights,
    but for the logout form's CSRF token, put in after rendering."""
    user = current_user
    key = (user.is_authenticated, bool(user.is_authenticated and user.roles),
           request.endpoint, request.blueprint)
    html = header.render(key, csrf_slot=CSRF_SLOT, current_user=user)
    # Our own autoescaped header, and an escaped token.
    return Markup(html.replace(CSRF_SLOT, escape(generate_csrf())))  # noqa: S704  # nosec B704


def _static_url(filename: str) -> str:
    return url_for("static", filename=filename)
