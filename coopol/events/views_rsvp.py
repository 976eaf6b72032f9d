"""Saying "je viens": members in one tap, guests with a name, an email and a mailed link."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db, limiter
from ..htmx import is_partial, render
from . import bp, rsvps
from .forms import GuestForm
from .views import get_event_or_404, page_context

STATUS_MESSAGES = {
    "going": lambda: _("C'est noté : tu viens !"),
    "waitlisted": lambda: _("C'est complet : tu es sur la liste d'attente. "
                            "Tu recevras un mail si une place se libère."),
    "cancelled": lambda: _("C'est noté : tu ne viens plus."),
}


def _locale() -> str:
    return str(get_locale() or "fr")


def _answer(event_id: int, change):
    """Apply a member's RSVP change in one transaction and answer with the RSVP block."""
    event = get_event_or_404(event_id)
    status = 200
    try:
        rsvp = change(event.id, current_user)
    except rsvps.RsvpError as error:
        db.session.rollback()
        flash(str(error), "error")
        status = 409
    else:
        db.session.commit()
        flash(STATUS_MESSAGES[rsvp.status](), "success")
        if not is_partial():
            return redirect(url_for("events.show", event_id=event_id), 303)
    event = get_event_or_404(event_id)
    return render("events/show.html", "rsvp", status=status, **page_context(event))


@bp.route("/<int:event_id>/rsvp", methods=["POST"])
@login_required
def rsvp(event_id):
    """Say I come: a place while there is room, else the waiting list."""
    return _answer(event_id, rsvps.join)


@bp.route("/<int:event_id>/rsvp/cancel", methods=["POST"])
@login_required
def rsvp_cancel(event_id):
    """Say I no longer come; the first person waiting gets my place."""
    return _answer(event_id, rsvps.leave)


@bp.route("/<int:event_id>/guest", methods=["POST"])
@limiter.limit("20 per hour")
def guest(event_id):
    """Let a visitor without an account ask to come; a mailed link confirms it."""
    event = get_event_or_404(event_id)
    if not event.is_public:
        abort(404)
    form = GuestForm()
    if form.validate_on_submit():
        try:
            rsvps.guest_request(event.id, form.name.data, form.email.data, _locale())
        except rsvps.RsvpError as error:
            db.session.rollback()
            flash(str(error), "error")
            return render("events/show.html", "guest", status=409,
                          **page_context(event, form))
        db.session.commit()
        flash(_("Presque fini : clique sur le lien que nous venons d'envoyer à %(email)s.",
                email=form.email.data.strip()), "success")
        if not is_partial():
            return redirect(url_for("events.show", event_id=event.id), 303)
        form = GuestForm(formdata=None)
    return render("events/show.html", "guest", status=422 if form.errors else 200,
                  **page_context(event, form))


def _guest_page(rsvp, status=200, token=None):
    return render_template("events/guest.html", rsvp=rsvp, event=rsvp.event if rsvp else None,
                           token=token), status


@bp.route("/guest/confirm/<token>")
def guest_confirm(token):
    """Confirm a guest's RSVP from the mailed link."""
    rsvp = rsvps.rsvp_for_token("confirm", token)
    if rsvp is None:
        flash(_("Ce lien n'est plus valable. Inscris-toi de nouveau."), "error")
        return _guest_page(None, 404)
    try:
        rsvp = rsvps.guest_confirm(rsvp, _locale())
    except rsvps.RsvpError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _guest_page(rsvp, 409)
    db.session.commit()
    return _guest_page(rsvp, token=rsvps.cancel_token(rsvp))


@bp.route("/guest/cancel/<token>", methods=["GET", "POST"])
def guest_cancel(token):
    """Ask, then cancel, a guest's RSVP from the link in their mail."""
    rsvp = rsvps.rsvp_for_token("cancel", token)
    if rsvp is None:
        flash(_("Ce lien n'est plus valable."), "error")
        return _guest_page(None, 404)
    if request.method == "POST":
        try:
            rsvp = rsvps.guest_cancel(rsvp)
        except rsvps.RsvpError as error:
            db.session.rollback()
            flash(str(error), "error")
            return _guest_page(rsvp, 409, token)
        db.session.commit()
        flash(_("C'est noté : tu ne viens plus. Merci de nous avoir prévenu·es."), "success")
    return _guest_page(rsvp, token=token)
