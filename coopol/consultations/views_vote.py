"""Voting: the phone ballot (tap, reorder, each change saved) and the plain form; participation."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..htmx import is_partial, render
from ..pagination import paginate
from . import ballots, bp, service
from .forms import parse_ballot
from .service import ConsultationError
from .views import viewable_or_403


def _ballot_page(consultation, choices, status=200, error=None):
    options = service.options(consultation)
    titles = {o.id: o for o in options}
    chosen = [(titles[oid], value) for oid, value in choices or [] if oid in titles]
    picked = {o.id for o, _v in chosen}
    return render(
        "consultations/vote.html", "ballot", consultation=consultation, chosen=chosen,
        remaining=[o for o in options if o.id not in picked], options=options,
        values=dict(choices or []), voted=choices is not None, error=error, status=status,
        spent=sum(v for _o, v in chosen) if consultation.method == "points" else 0,
        phase=consultation.phase(), eligible=service.is_eligible(current_user, consultation),
    )


@bp.route("/<int:consultation_id>/vote")
@login_required
def vote(consultation_id):
    """Show my ballot: what I chose so far (only to me, until the close) and what is left."""
    consultation = viewable_or_403(consultation_id)
    return _ballot_page(consultation, ballots.own_ballot(consultation, current_user))


def _refused(consultation, error: ConsultationError):
    db.session.rollback()
    if error.status == 403:
        abort(403)
    if not is_partial():
        flash(error.message, "error")
    return _ballot_page(consultation, ballots.own_ballot(consultation, current_user),
                        status=error.status, error=error.message)


@bp.route("/<int:consultation_id>/vote", methods=["POST"])
@login_required
def cast(consultation_id):
    """Record the whole plain-form ballot at once."""
    consultation = viewable_or_403(consultation_id)
    try:
        try:
            choices = parse_ballot(consultation, request.form)
        except ValueError:
            raise ConsultationError(_("Indique des nombres entiers.")) from None
        ballots.cast_ballot(consultation, current_user, choices)
    except ConsultationError as error:
        return _refused(consultation, error)
    db.session.commit()
    flash(_("Ton vote est enregistré. Tu peux le changer jusqu'à la clôture."), "success")
    return redirect(url_for("consultations.vote", consultation_id=consultation.id), 303)


@bp.route("/<int:consultation_id>/vote/tap", methods=["POST"])
@login_required
def tap(consultation_id):
    """Apply one tap (add, remove, up, down, plus, minus), save the ballot, show it again."""
    consultation = viewable_or_403(consultation_id)
    option_id = request.form.get("option", "")
    try:
        if not option_id.isdigit():
            raise ConsultationError(_("Une des options choisies n'existe pas dans cette "
                                      "consultation."))
        ballots.check_can_vote(consultation, current_user)
        current = ballots.own_ballot(consultation, current_user) or []
        choices = ballots.tap(consultation, current, request.form.get("action", ""),
                              int(option_id))
        ballots.cast_ballot(consultation, current_user, choices)
    except ConsultationError as error:
        return _refused(consultation, error)
    db.session.commit()
    if is_partial():
        return _ballot_page(consultation, choices)
    flash(_("Ton vote est enregistré."), "success")
    return redirect(url_for("consultations.vote", consultation_id=consultation.id), 303)


@bp.route("/<int:consultation_id>/participation")
@login_required
def participation(consultation_id):
    """Show who took part (never what they chose) and eligible members per section."""
    consultation = viewable_or_403(consultation_id)
    page = request.args.get("sections", "1")
    page = min(int(page), 10_000) if page.isdigit() and int(page) > 0 else 1
    voted = db.session.scalar(ballots.participants_count(consultation))
    pagination = paginate(ballots.participants_query(consultation, voted), total=voted)
    if is_partial():  # the pager of participants swaps that list alone
        return render("consultations/participation.html", "participants",
                      consultation=consultation, pagination=pagination)
    return render(
        "consultations/participation.html", consultation=consultation, pagination=pagination,
        sections=ballots.participation_by_section(consultation, page),
        totals={"eligible": ballots.eligible_total(consultation), "voted": voted},
    )
