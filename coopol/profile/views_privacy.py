"""My data: download it, read it, erase my account."""

import json

from flask import Response, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..extensions import db
from ..htmx import render
from . import bp, privacy, service
from .forms import EraseForm


@bp.route("/data")
@login_required
def data():
    """Show everything Coopol holds on me, readably."""
    return render("profile/data.html", data=privacy.member_data(current_user))


@bp.route("/data.json")
@login_required
def data_json():
    """Download everything Coopol holds on me as JSON."""
    body = json.dumps(privacy.member_data(current_user), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="coopol-mes-donnees.json"'})


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete():
    """Erase my account after I confirm with my password."""
    form = EraseForm()
    if form.validate_on_submit():
        if not service.check_password(current_user, form.password.data):
            form.password.errors.append(_("Mot de passe incorrect."))
        else:
            privacy.erase(current_user._get_current_object())
            db.session.commit()
            logout_user()
            flash(_("Ton compte est effacé. Merci pour ton engagement."), "success")
            return redirect(url_for("home.index"), 303)
    status = 422 if form.errors else 200
    return render("profile/delete.html", form=form, status=status)
