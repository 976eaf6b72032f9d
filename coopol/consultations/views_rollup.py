"""Roll-up: section meetings and syntheses, the fédération's follow-up and synthesis."""

from datetime import datetime, time

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..geo.models import Federation, Section
from ..htmx import render
from ..profile import service as profile_service
from . import bp, results, rollup, service
from .forms import DebateForm, SynthesisForm, parse_ballot
from .service import ConsultationError
from .views import get_consultation_or_404


def _section_or_403(consultation_id: int, section_id: int):
    """Load a covered section that the current member is secretary of."""
    consultation = get_consultation_or_404(consultation_id)
    section = db.session.get(Section, section_id) or abort(404)
    if not rollup.covers_section(consultation, section):
        abort(404)
    if not profile_service.has_role(current_user, "secretary", section=section):
        abort(403)
    return consultation, section


def _federation_or_403(consultation_id: int, code: str):
    consultation = get_consultation_or_404(consultation_id)
    federation = db.session.get(Federation, code) or abort(404)
    if consultation.section_id is not None or consultation.federation_code not in (None, code):
        abort(404)
    if not profile_service.has_role(current_user, "secretary", federation_code=code):
        abort(403)
    return consultation, federation


def _section_page(consultation, section, status=200, synthesis_form=None, debate_form=None):
    key = str(section.id)
    area = results.area(consultation, "section", key) if consultation.closed_at else None
    synthesis = rollup.synthesis_of(consultation, "section", key)
    titles = {o.id: o.title for o in service.options(consultation, whole=True)}
    return render(
        "consultations/section.html", "synthesis", consultation=consultation, section=section,
        area=area, rows=results.bars(consultation, area, titles), synthesis=synthesis,
        form=synthesis_form or SynthesisForm(obj=synthesis), status=status,
        debate=rollup.debate_of(consultation, section),
        options=service.options(consultation, whole=True),
        debate_form=debate_form or DebateForm(formdata=None), phase=consultation.phase(),
        min_cell=service.MIN_CELL)


@bp.route("/<int:consultation_id>/sections/<int:section_id>")
@login_required
def section(consultation_id, section_id):
    """Show a section's results, its meeting, and its synthesis to write."""
    return _section_page(*_section_or_403(consultation_id, section_id))


def _save_synthesis(consultation, level, key, federation_code, form, page):
    """Validate and save a synthesis, or show the page again with the reason."""
    try:
        if not form.validate_on_submit():
            raise ConsultationError(_("Vérifie la synthèse."))
        submit = form.action.data == "submit"
        rollup.save_synthesis(consultation, level, key, federation_code, form.body.data,
                              submit, current_user)
    except ConsultationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return page(status=error.status, synthesis_form=form)
    db.session.commit()
    flash(_("Synthèse soumise.") if submit else _("Brouillon enregistré."), "success")
    return None


@bp.route("/<int:consultation_id>/sections/<int:section_id>", methods=["POST"])
@login_required
def section_synthesis(consultation_id, section_id):
    """Save the section synthesis as draft, or submit it."""
    consultation, section = _section_or_403(consultation_id, section_id)
    refused = _save_synthesis(
        consultation, "section", str(section.id), section.federation_code, SynthesisForm(),
        lambda **kw: _section_page(consultation, section, **kw))
    return refused or redirect(url_for("consultations.section", consultation_id=consultation.id,
                                       section_id=section.id), 303)


@bp.route("/<int:consultation_id>/sections/<int:section_id>/debate", methods=["POST"])
@login_required
def debate(consultation_id, section_id):
    """Record the outcome of the section's in-person meeting."""
    consultation, section = _section_or_403(consultation_id, section_id)
    form = DebateForm()
    try:
        if not form.validate_on_submit():
            raise ConsultationError(_("Vérifie la date et le nombre de présents."))
        try:
            choices = parse_ballot(consultation, request.form)
        except ValueError:
            raise ConsultationError(_("Indique des nombres entiers.")) from None
        held_on = datetime.combine(form.held_on.data, time())
        rollup.record_debate(consultation, section, held_on, form.attendance.data, choices,
                             current_user)
    except ConsultationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _section_page(consultation, section, status=error.status, debate_form=form)
    db.session.commit()
    flash(_("Réunion enregistrée : elle comptera avec les votes en ligne."), "success")
    return redirect(url_for("consultations.section", consultation_id=consultation.id,
                            section_id=section.id), 303)


def _federation_page(consultation, federation, status=200, synthesis_form=None):
    synthesis = rollup.synthesis_of(consultation, "federation", federation.code)
    area = results.area(consultation, "federation", federation.code) \
        if consultation.closed_at else None
    titles = {o.id: o.title for o in service.options(consultation, whole=True)}
    sections = rollup.federation_sections(consultation, federation.code)
    late = sum(1 for _s, done in sections if done is None or done.status != "submitted")
    return render(
        "consultations/federation.html", "synthesis", consultation=consultation,
        federation=federation, sections=sections, late=late,
        synthesis=synthesis, form=synthesis_form or SynthesisForm(obj=synthesis), status=status,
        area=area, rows=results.bars(consultation, area, titles), min_cell=service.MIN_CELL)


@bp.route("/<int:consultation_id>/federations/<code>")
@login_required
def federation(consultation_id, code):
    """Show which sections have submitted, their syntheses, and the fédération's own."""
    return _federation_page(*_federation_or_403(consultation_id, code))


@bp.route("/<int:consultation_id>/federations/<code>", methods=["POST"])
@login_required
def federation_synthesis(consultation_id, code):
    """Save the fédération synthesis as draft, or submit it."""
    consultation, federation = _federation_or_403(consultation_id, code)
    refused = _save_synthesis(consultation, "federation", code, code, SynthesisForm(),
                              lambda **kw: _federation_page(consultation, federation, **kw))
    return refused or redirect(url_for("consultations.federation",
                                       consultation_id=consultation.id, code=code), 303)


@bp.route("/<int:consultation_id>/federations/<code>/remind", methods=["POST"])
@login_required
def remind(consultation_id, code):
    """Mail the secretaries of the sections that have not submitted yet."""
    consultation, federation = _federation_or_403(consultation_id, code)
    if consultation.closed_at is None:
        flash(_("Les synthèses s'écrivent après la clôture du vote."), "error")
        return _federation_page(consultation, federation, status=409)
    sent = rollup.remind_late(consultation, code, current_user)
    db.session.commit()
    flash(_("%(num)d rappel(s) envoyé(s).", num=sent), "success")
    return redirect(url_for("consultations.federation", consultation_id=consultation.id,
                            code=code), 303)
