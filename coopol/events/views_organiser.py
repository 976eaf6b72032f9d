"""Organisers' tools: participants, CSV export, check-in, messages, the report after the event."""

import csv
import io

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..htmx import is_partial, render
from ..pagination import paginate
from ..profile import service as profile_service
from . import bp, rsvps
from .forms import CodeForm, MessageForm, ReportForm
from .models import Rsvp
from .views import get_managed_event_or_404


def get_rsvp_or_404(event, rsvp_id: int) -> Rsvp:
    """Load an RSVP of this event; an id from another event is not found."""
    rsvp = db.session.get(Rsvp, rsvp_id)
    if rsvp is None or rsvp.event_id != event.id:
        abort(404)
    return rsvp


def _participants_page(event, code_form=None, status=200):
    pagination = paginate(rsvps.participants_query(event))
    return render("events/participants.html", "participants", status=status, event=event,
                  pagination=pagination, figures=rsvps.figures(event),
                  code_form=code_form or CodeForm(formdata=None))


@bp.route("/<int:event_id>/participants")
@login_required
def participants(event_id):
    """List who answered, with their status and check-in; ?code= comes from a scanned QR code."""
    event = get_managed_event_or_404(event_id)
    code_form = CodeForm(formdata=None, code=request.args.get("code", "")[:12])
    return _participants_page(event, code_form)


@bp.route("/<int:event_id>/participants.csv")
@login_required
def participants_csv(event_id):
    """Export the participants as CSV; the export is written to the audit log."""
    event = get_managed_event_or_404(event_id)
    rows = db.session.scalars(rsvps.participants_query(event)).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Nom"), _("E-mail"), _("Statut"), _("Code"), _("Présent·e"),
                     _("Invité·e")])
    for rsvp in rsvps_rows(rows):
        writer.writerow(rsvp)
    profile_service.audit(current_user, "event.export", event_id=event.id, rows=len(rows))
    db.session.commit()
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="participants-{event.id}.csv"'})


def rsvps_rows(rows):
    for r in rows:
        # A leading = + - @ would make a spreadsheet run a formula: quote it.
        name = ("'" + r.name) if r.name[:1] in "=+-@" else r.name
        yield [name, r.email, r.status, r.code, "oui" if r.checked_in_at else "non",
               "oui" if r.member_id is None else "non"]


@bp.route("/<int:event_id>/rsvps/<int:rsvp_id>/checkin", methods=["POST"])
@login_required
def check_in(event_id, rsvp_id):
    """Mark one person present or absent; htmx swaps their row only once it is saved."""
    event = get_managed_event_or_404(event_id)
    rsvp = get_rsvp_or_404(event, rsvp_id)
    try:
        rsvps.set_check_in(rsvp, request.form.get("present") == "1")
    except rsvps.RsvpError as error:
        db.session.rollback()
        flash(str(error), "error")
        return render("events/participants.html", "row", status=409, event=event, r=rsvp)
    db.session.commit()
    if is_partial():
        return render("events/participants.html", "row", event=event, r=rsvp)
    flash(_("%(name)s : présence enregistrée.", name=rsvp.name) if rsvp.checked_in_at
          else _("%(name)s : présence retirée.", name=rsvp.name), "success")
    return redirect(url_for("events.participants", event_id=event.id), 303)


@bp.route("/<int:event_id>/checkin-code", methods=["POST"])
@login_required
def check_in_code(event_id):
    """Check someone in from the short code they show at the door."""
    event = get_managed_event_or_404(event_id)
    form = CodeForm()
    if form.validate_on_submit():
        rsvp = rsvps.rsvp_by_code(event, form.code.data)
        if rsvp is None:
            form.code.errors.append(_("Aucune inscription avec ce code pour cet événement."))
        else:
            try:
                rsvps.set_check_in(rsvp, True)
            except rsvps.RsvpError as error:
                form.code.errors.append(str(error))
            else:
                db.session.commit()
                flash(_("%(name)s est enregistré·e présent·e.", name=rsvp.name), "success")
                return redirect(url_for("events.participants", event_id=event.id), 303)
    db.session.rollback()
    return _participants_page(event, form, status=422)


@bp.route("/<int:event_id>/message", methods=["GET", "POST"])
@login_required
def message(event_id):
    """Mail everyone going or waiting (through the outbox)."""
    event = get_managed_event_or_404(event_id)
    form = MessageForm()
    if form.validate_on_submit():
        count = rsvps.message_participants(current_user, event, form.subject.data.strip(),
                                           form.body.data.strip())
        db.session.commit()
        flash(_("Message envoyé à %(n)s participant·e(s).", n=count), "success")
        return redirect(url_for("events.participants", event_id=event.id), 303)
    return render("events/message.html", status=422 if form.errors else 200, event=event,
                  form=form)


@bp.route("/<int:event_id>/report", methods=["GET", "POST"])
@login_required
def report(event_id):
    """Write the short report once the event has started: what happened, how many came."""
    event = get_managed_event_or_404(event_id)
    figures = rsvps.figures(event)
    form = ReportForm(obj=event)
    if request.method == "GET" and event.attendance is None:
        form.attendance.data = figures["checked_in"] or None
    if event.is_cancelled or not event.has_started:
        if request.method == "POST":
            flash(_("Le compte rendu s'écrit une fois l'événement commencé."), "error")
        status = 409 if request.method == "POST" else 200
        return render("events/report.html", status=status, event=event, form=form,
                      figures=figures, open=False)
    if form.validate_on_submit():
        event.report = (form.report.data or "").strip()
        event.attendance = form.attendance.data
        db.session.commit()
        flash(_("Compte rendu enregistré."), "success")
        return redirect(url_for("events.show", event_id=event.id), 303)
    return render("events/report.html", status=422 if form.errors else 200, event=event,
                  form=form, figures=figures, open=True)
