"""Consultations: the list, one consultation's page, setting one up, closing the vote."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..htmx import render
from ..pagination import paginate
from ..profile import service as profile_service
from . import ballots, bp, results, rollup, service
from .forms import ProposalForm, SetupForm
from .models import Consultation
from .service import ConsultationError

DATES = ("contributions_open_at", "vote_opens_at", "vote_closes_at", "syntheses_due_at")


def get_consultation_or_404(consultation_id: int) -> Consultation:
    return db.session.get(Consultation, consultation_id, options=[
        selectinload(Consultation.theme), selectinload(Consultation.section)]) or abort(404)


def viewable_or_403(consultation_id: int) -> Consultation:
    """Load a consultation the current member may see (eligible or moderating)."""
    consultation = get_consultation_or_404(consultation_id)
    if not service.can_view(current_user, consultation):
        abort(403)
    return consultation


def managed_or_403(consultation_id: int, moderate: bool = False) -> Consultation:
    consultation = get_consultation_or_404(consultation_id)
    allowed = service.can_moderate if moderate else service.can_manage
    if not allowed(current_user, consultation):
        abort(403)
    return consultation


@bp.route("/")
@login_required
def index():
    """List the consultations open to me, then the past ones, then those I run."""
    member = current_user
    return render(
        "consultations/index.html", "listing",
        open_now=db.session.scalars(service.visible_query(member, True).limit(20)).all(),
        pagination=paginate(service.visible_query(member, False)),
        managed=db.session.scalars(service.managed_query(member).limit(20)).all()
        if member.roles else [],
        todo=rollup.section_todo(member), can_create=service.can_create(member),
    )


def refuse(error: ConsultationError, consultation: Consultation, form=None):
    """Answer a refused action: the consultation's page with the message, nothing changed."""
    db.session.rollback()
    flash(error.message, "error")
    return show_page(consultation, form=form, status=error.status)


@bp.route("/<int:consultation_id>")
@login_required
def show(consultation_id):
    """Show a consultation: context, phase, options with their origins, my proposals."""
    return show_page(viewable_or_403(consultation_id))


def show_page(consultation: Consultation, form=None, status: int = 200):
    return render(
        "consultations/show.html", consultation=consultation, phase=consultation.phase(),
        options=service.options(consultation), merged=service.merged_origins(consultation),
        mine=service.contributions_of(consultation, current_user),
        eligible=service.is_eligible(current_user, consultation),
        voted=ballots.has_voted(consultation, current_user),
        can_moderate=service.can_moderate(current_user, consultation),
        can_manage=service.can_manage(current_user, consultation),
        my_areas=rollup.secretary_areas(consultation, current_user),
        form=form or ProposalForm(formdata=None), status=status,
    )


def _setup_form(consultation: Consultation | None) -> SetupForm:
    form = SetupForm(obj=consultation)
    form.theme.choices = [(t.id, t.name) for t in profile_service.themes()]
    form.scope.choices = service.scope_choices(current_user)
    if request.method == "GET" and consultation is not None:
        form.theme.data = consultation.theme_id
        form.scope.data = (f"s:{consultation.section_id}" if consultation.section_id else
                           f"f:{consultation.federation_code}" if consultation.federation_code
                           else "national")
        for name in DATES:
            getattr(form, name).data = to_user_timezone(getattr(consultation, name)).replace(
                tzinfo=None)
    return form


@bp.route("/new", methods=["GET", "POST"], defaults={"consultation_id": None})
@bp.route("/<int:consultation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(consultation_id):
    """Set up a consultation: theme, context, scope, eligibility, method and phase dates."""
    if consultation_id is None:
        if not service.can_create(current_user):
            abort(403)
        consultation = None
    else:
        consultation = managed_or_403(consultation_id)
    form = _setup_form(consultation)
    if form.validate_on_submit():
        try:
            federation, section_id = service.parse_scope(current_user, form.scope.data)
            fields = {name: to_utc(getattr(form, name).data) for name in DATES}
            saved = service.save_setup(
                consultation or Consultation(), current_user, title=form.title.data.strip(),
                theme_id=form.theme.data, context=form.context.data.strip(),
                federation_code=federation, section_id=section_id,
                eligibility=form.eligibility.data, method=form.method.data,
                max_choices=form.max_choices.data, points_total=form.points_total.data, **fields)
        except ConsultationError as error:
            if error.status == 403:
                abort(403)
            form.form_errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Consultation « %(title)s » enregistrée.", title=saved.title), "success")
            return redirect(url_for("consultations.show", consultation_id=saved.id), 303)
    status = 422 if form.errors else 200
    return render("consultations/edit.html", form=form, consultation=consultation, status=status)


@bp.route("/<int:consultation_id>/close", methods=["POST"])
@login_required
def close(consultation_id):
    """Close the vote once its end date has passed: count once, unlink every ballot."""
    consultation = managed_or_403(consultation_id)
    try:
        count = results.close(consultation, current_user)
    except ConsultationError as error:
        return refuse(error, consultation)
    db.session.commit()
    flash(_("Vote clos : %(num)d bulletins comptés.", num=count), "success")
    return redirect(url_for("consultations.results", consultation_id=consultation.id), 303)
