"""The optional second factor: a code from an authenticator app (TOTP), asked after the password."""

import pyotp
from flask import current_app, flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from ..extensions import db, limiter
from ..htmx import render
from ..web import safe_next
from . import bp, service
from .forms import CodeForm, DisableTwoFactorForm
from .views import _login_limit

PENDING = "two_factor_pending"


def verify(secret: str, code: str) -> bool:
    """Accept the current code, or the one just before or after (clocks drift)."""
    code = (code or "").replace(" ", "")
    return bool(secret) and code.isdigit() and pyotp.TOTP(secret).verify(code, valid_window=1)


def start(member, remember: bool, target: str | None):
    """Remember who passed the password step, and ask for their code."""
    session[PENDING] = {"id": member.get_id(), "remember": remember, "next": target}
    return redirect(url_for("auth.login_code"), 303)


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login_code():
    """Finish logging in with the code of the authenticator app."""
    pending = session.get(PENDING)
    member = current_app.login_manager._user_callback(pending["id"]) if pending else None
    if member is None:
        return redirect(url_for("auth.login"), 303)
    form = CodeForm()
    if form.validate_on_submit():
        if verify(member.totp_secret, form.code.data):
            session.pop(PENDING)
            login_user(member, remember=pending["remember"])
            flash(_("Te voilà connecté·e."), "success")
            return redirect(safe_next(pending["next"]) or url_for("home.index"), 303)
        form.code.errors.append(_("Ce code n'est pas le bon, ou il a expiré."))
    return render("auth/login_code.html", form=form, status=422 if form.errors else 200)


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    """Turn the second factor on: scan the key, then type a code to prove it works."""
    if current_user.totp_secret:
        return render("auth/two_factor.html", form=DisableTwoFactorForm(), secret=None, uri=None)
    secret = session.get("two_factor_secret") or pyotp.random_base32()
    session["two_factor_secret"] = secret
    form = CodeForm()
    if form.validate_on_submit():
        if verify(secret, form.code.data):
            current_user.totp_secret = secret
            session.pop("two_factor_secret")
            db.session.commit()
            flash(_("Double authentification activée."), "success")
            return redirect(url_for("auth.account"), 303)
        form.code.errors.append(_("Ce code n'est pas le bon, ou il a expiré."))
    uri = pyotp.TOTP(secret).provisioning_uri(name=current_user.email,
                                              issuer_name=current_app.config["SITE_NAME"])
    return render("auth/two_factor.html", form=form, secret=secret, uri=uri,
                  status=422 if form.errors else 200)


@bp.route("/two-factor/disable", methods=["POST"])
@login_required
def disable_two_factor():
    """Turn the second factor off, with the password and a current code."""
    form = DisableTwoFactorForm()
    if form.validate_on_submit():
        if not service.authenticate(current_user.email, form.password.data):
            form.password.errors.append(_("Mot de passe incorrect."))
        elif not verify(current_user.totp_secret, form.code.data):
            form.code.errors.append(_("Ce code n'est pas le bon, ou il a expiré."))
        else:
            current_user.totp_secret = None
            db.session.commit()
            flash(_("Double authentification désactivée."), "success")
            return redirect(url_for("auth.account"), 303)
    return render("auth/two_factor.html", form=form, secret=None, uri=None, status=422)
