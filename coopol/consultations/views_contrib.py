"""Contributions: members propose priorities; organisers accept, merge, reject or add options."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..htmx import is_partial, render
from . import bp, service
from .forms import MergeForm, ProposalForm, RejectForm
from .models import Option
from .service import ConsultationError
from .views import managed_or_403, refuse, viewable_or_403


def get_option_or_404(consultation, option_id: int) -> Option:
    option = db.session.get(Option, option_id)
    if option is None or option.consultation_id != consultation.id:
        abort(404)
    return option


@bp.route("/<int:consultation_id>/propose", methods=["POST"])
@login_required
def propose(consultation_id):
    """Propose a priority during the contribution phase."""
    consultation = viewable_or_403(consultation_id)
    form = ProposalForm()
    if not form.validate_on_submit():
        return refuse(ConsultationError(_("Vérifie ta proposition.")), consultation, form)
    try:
        service.propose(consultation, current_user, form.title.data, form.text.data)
    except ConsultationError as error:
        if error.status == 403:
            abort(403)
        return refuse(error, consultation, form)
    db.session.commit()
    flash(_("Merci ! Ta proposition attend l'avis des organisateur·ices."), "success")
    return redirect(url_for("consultations.show", consultation_id=consultation.id), 303)


def _moderation_page(consultation, status=200, form=None):
    proposed = service.options(consultation, ("proposed",))
    accepted = service.options(consultation)
    return render("consultations/moderate.html", "moderation", consultation=consultation,
                  proposed=proposed, accepted=accepted, status=status,
                  others=service.options(consultation, ("merged", "rejected")),
                  merged=service.merged_origins(consultation), form=form or ProposalForm(
                      formdata=None), phase=consultation.phase())


@bp.route("/<int:consultation_id>/options")
@login_required
def moderate(consultation_id):
    """List the proposals to sort and the options already on the ballot."""
    return _moderation_page(managed_or_403(consultation_id, moderate=True))


@bp.route("/<int:consultation_id>/options", methods=["POST"])
@login_required
def add_option(consultation_id):
    """Add an option as organiser: it goes straight on the ballot."""
    consultation = managed_or_403(consultation_id, moderate=True)
    form = ProposalForm()
    try:
        if not form.validate_on_submit():
            raise ConsultationError(_("Vérifie l'option."))
        service.add_option(consultation, form.title.data, form.text.data, "organiser",
                           member=current_user, actor=current_user)
    except ConsultationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _moderation_page(consultation, error.status, form)
    db.session.commit()
    flash(_("Option ajoutée."), "success")
    return redirect(url_for("consultations.moderate", consultation_id=consultation.id), 303)


@bp.route("/<int:consultation_id>/options/<int:option_id>/<any(accept,reject,merge):action>",
          methods=["POST"])
@login_required
def sort_option(consultation_id, option_id, action):
    """Accept a proposal, reject it with a reason, or merge it into another option."""
    consultation = managed_or_403(consultation_id, moderate=True)
    option = get_option_or_404(consultation, option_id)
    try:
        if action == "accept":
            service.accept(option, consultation)
        elif action == "reject":
            form = RejectForm()
            if not form.validate_on_submit():
                raise ConsultationError(_("Dis pourquoi la proposition n'est pas retenue."))
            service.reject(option, consultation, form.reason.data)
        else:
            form = MergeForm()
            into = form.into.data if form.validate_on_submit() else None
            if into is None:
                raise ConsultationError(_("Choisis l'option qui reste."))
            service.merge(option, get_option_or_404(consultation, into), consultation)
    except ConsultationError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _moderation_page(consultation, error.status)
    db.session.commit()
    title = option.title
    messages = {"accept": _("« %(title)s » est retenue.", title=title),
                "reject": _("« %(title)s » n'est pas retenue ; son auteur·ice saura pourquoi.",
                            title=title),
                "merge": _("« %(title)s » est fusionnée ; son origine reste affichée.",
                           title=title)}
    flash(messages[action], "success")
    # htmx gets the refreshed list in place; a plain form goes back to the page.
    if is_partial():
        return _moderation_page(consultation)
    return redirect(url_for("consultations.moderate", consultation_id=consultation.id), 303)
