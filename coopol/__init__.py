"""Coopol: the party's member network. `create_app` builds the Flask application."""

from pathlib import Path

from flask import Flask, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from . import config, markdown, ops, web
from .database import utcnow
from .extensions import babel, compress, csrf, db, limiter, login_manager, migrate
from .htmx import is_htmx

ROOT = Path(__file__).resolve().parent.parent
BLUEPRINTS = ("home", "auth", "geo", "profile", "admin", "groups", "events",
              "consultations", "notify", "dashboards", "organize")


def create_app(test_config=None) -> Flask:
    """Create and configure the application."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    config.load(app, test_config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale,
                   default_translation_directories=str(Path(__file__).parent / "translations"))
    limiter.init_app(app)
    compress.init_app(app)
    _init_login(app)
    web.init_app(app)
    markdown.init_app(app)
    ops.init_app(app)

    from importlib import import_module

    for name in BLUEPRINTS:
        app.register_blueprint(import_module(f".{name}", __name__).bp)

    from . import cli

    cli.init_app(app)
    return app


def _init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Connecte-toi pour continuer.")
    login_manager.login_message_category = "info"

    from sqlalchemy.orm import joinedload

    from .profile.models import Member

    load_with_member = [joinedload(Member.roles), joinedload(Member.commune)]

    @login_manager.user_loader
    def load_member(identity: str):
        member_id, _, nonce = identity.partition(":")
        if not member_id.isdigit():
            return None
        # Every page's menu reads the roles, and the lists near me the commune: one query.
        member = db.session.get(Member, int(member_id), options=load_with_member)
        if member is None or member.session_nonce != nonce or member.is_blocked:
            return None
        return member

    @login_manager.unauthorized_handler
    def unauthorized():
        """Send to the login page; for htmx, make the browser go there and come back."""
        if is_htmx():
            current = request.headers.get("HX-Current-URL", "")
            path = web.safe_next("/" + current.split("/", 3)[-1]) if current else None
            target = url_for("auth.login", next=path or request.path)
            return "", 401, {"HX-Redirect": target}
        flash(login_manager.login_message, "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.before_request
    def touch_last_seen():
        """Record when a member was last seen, at most once an hour."""
        if current_user.is_authenticated and request.method == "GET":
            now = utcnow()
            seen = current_user.last_seen_at
            if seen is None or (now - seen).total_seconds() > 3600:
                current_user.last_seen_at = now
                db.session.commit()
