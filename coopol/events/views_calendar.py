"""Calendar files: an event's .ics, a section's public feed, my private feed of RSVPs."""

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db, login_manager
from ..geo.models import Section
from ..groups import service as groups_service
from ..htmx import render
from . import bp, calendar, service
from .views import get_event_or_404


def _ics(events, name: str, filename: str) -> Response:
    def url_of(event):
        return url_for("events.show", event_id=event.id, _external=True)

    body = calendar.to_ics(events, name, url_of, request.host)
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'inline; filename="{filename}"'})


@bp.route("/<int:event_id>/calendar.ics")
def event_ics(event_id):
    """Download one event for a calendar."""
    event = get_event_or_404(event_id)
    if not service.can_see(current_user, event):
        return login_manager.unauthorized()
    return _ics([event], event.title, f"evenement-{event.id}.ics")


@bp.route("/sections/<int:section_id>/calendar.ics")
def section_ics(section_id):
    """Serve a section's public events as a feed anyone can subscribe to."""
    section = db.session.get(Section, section_id) or abort(404)
    return _ics(calendar.section_events(section.id), section.name, f"section-{section.id}.ics")


@bp.route("/groups/<slug>/calendar.ics")
def group_ics(slug):
    """Serve the public events a group hosts as a feed anyone can subscribe to."""
    group = groups_service.get_group(slug) or abort(404)
    return _ics(calendar.group_events(group.id), group.name, f"groupe-{group.slug}.ics")


@bp.route("/calendar/<token>.ics")
def feed_ics(token):
    """Serve my RSVPs to a phone calendar that knows my secret address."""
    member_id = calendar.member_for_token(token)
    if member_id is None:
        abort(404)
    return _ics(calendar.member_events(member_id), _("Mes événements"), "coopol.ics")


@bp.route("/calendar")
@login_required
def my_calendar():
    """Show my private feed address, and let me create, renew or revoke it."""
    return render("events/calendar.html", feed=calendar.feed_of(current_user))


@bp.route("/calendar/renew", methods=["POST"])
@login_required
def renew_feed():
    """Make a new secret address; the old one stops working."""
    calendar.renew_feed(current_user)
    db.session.commit()
    flash(_("Voici ta nouvelle adresse d'agenda. L'ancienne ne marche plus."), "success")
    return redirect(url_for("events.my_calendar"), 303)


@bp.route("/calendar/revoke", methods=["POST"])
@login_required
def revoke_feed():
    """Turn off my private feed."""
    if calendar.revoke_feed(current_user):
        db.session.commit()
    flash(_("Ton agenda privé est désactivé."), "success")
    return redirect(url_for("events.my_calendar"), 303)
