"""Notification pages: the list, mark all read, the header's bell, settings, mail-off links."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..groups.models import Group, Post, Proposal
from ..htmx import is_partial, render
from ..pagination import paginate
from . import bp, service
from .forms import KIND_LABELS, ConfirmForm, SettingsForm


@bp.route("/")
@login_required
def index():
    """List my notifications, newest first."""
    return render("notify/index.html", "notifications",
                  pagination=paginate(service.list_query(current_user)), form=ConfirmForm())


@bp.route("/read", methods=["POST"])
@login_required
def read_all():
    """Mark all my notifications read."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    count = service.mark_all_read(current_user)
    db.session.commit()
    flash(_("%(n)s notification(s) marquée(s) comme lue(s).", n=count), "success")
    return index() if is_partial() else redirect(url_for("notify.index"), 303)


@bp.route("/bell")
def bell():
    """Show the header's bell with my unread count (htmx refreshes it every minute).

    A session that ended meanwhile gets nothing (the bell goes) rather than a jump to the login
    page in the middle of whatever the member was doing.
    """
    if not current_user.is_authenticated:
        return ""
    return render_template("notify/_bell.html", unread=service.unread_count(current_user))


def target_url(notification) -> str | None:
    """Return where a notification leads, or None when its subject is gone."""
    kind, target_id = notification.target_type, notification.target_id
    if kind == "event":
        return url_for("events.show", event_id=target_id)
    if kind == "consultation":
        return url_for("consultations.show", consultation_id=target_id)
    model, endpoint, arg = {"post": (Post, "groups.thread", "post_id"),
                            "proposal": (Proposal, "groups.proposal", "proposal_id")}[kind]
    slug = db.session.scalar(select(Group.slug).join(model, model.group_id == Group.id)
                             .where(model.id == target_id))
    return url_for(endpoint, slug=slug, **{arg: target_id}) if slug else None


@bp.route("/<int:notification_id>")
@login_required
def open_notification(notification_id):
    """Mark one of my notifications read and go to what it is about."""
    notification = service.open_notification(current_user, notification_id) or abort(404)
    db.session.commit()
    url = target_url(notification)
    if url is None:
        flash(_("Ce contenu n'existe plus."), "info")
        return redirect(url_for("notify.index"), 303)
    return redirect(url, 303)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Choose how each kind of notification reaches me, and how often the digest comes."""
    form = SettingsForm(data=service.settings_of(current_user))
    if form.validate_on_submit():
        service.save_settings(current_user.id, **{name: form[name].data for name in
                                                  (*KIND_LABELS, "digest_period")})
        db.session.commit()
        flash(_("Tes préférences sont enregistrées."), "success")
        if is_partial():
            return render("notify/settings.html", "settings_form", form=form)
        return redirect(url_for("notify.settings"), 303)
    return render("notify/settings.html", "settings_form", status=422 if form.errors else 200,
                  form=form)


@bp.route("/off/<token>", methods=["GET", "POST"])
def mail_off(token):
    """Turn one kind of notification mail off from the link in a mail (no login needed)."""
    found = service.read_off_token(token)
    if found is None:
        return render("notify/off.html", status=404, kind_label=None, form=None, done=False)
    member, kind = found
    form = ConfirmForm()
    if form.validate_on_submit():
        service.turn_mail_off(member, kind)
        db.session.commit()
        flash(_("C'est fait : tu ne recevras plus ces mails."), "success")
        return redirect(url_for("notify.mail_off", token=token), 303)
    done = service.settings_of(member)[kind] not in ("mail", "digest")
    return render("notify/off.html", kind_label=KIND_LABELS[kind], form=form, done=done)
