"""Proposals: drafted by a group's members, supported one tap each."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice as Choice

from ..consultations import service as consultations_service
from ..extensions import db
from ..htmx import is_partial, render
from ..pagination import paginate
from . import bp, service
from . import service_posts as posts
from .forms import ProposalForm, SubmitProposalForm
from .views import load_group


def get_proposal_or_404(group, proposal_id: int):
    return posts.get_proposal(group, proposal_id) or abort(404)


def _form(group, proposal=None) -> ProposalForm:
    form = ProposalForm(obj=proposal)
    form.theme.choices = [Choice("", _("Aucun en particulier"))] + [
        Choice(str(t.id), t.name) for t in group.themes]
    if proposal is not None and not form.is_submitted():
        form.theme.data = str(proposal.theme_id or "")
    return form


@bp.route("/<slug>/proposals")
@login_required
def proposals(slug):
    """List a group's proposals, most supported first."""
    group, membership = load_group(slug, read=True)
    pagination = paginate(posts.proposals_query(group))
    return render("groups/proposals.html", group=group, membership=membership,
                  pagination=pagination,
                  supported=posts.supported_ids(current_user, pagination.items))


@bp.route("/<slug>/proposals/new", methods=["GET", "POST"])
@login_required
def new_proposal(slug):
    """Draft a proposal for the group."""
    group, membership = load_group(slug)
    service.ensure_writable(group)
    service.ensure_active_member(current_user, membership)
    form = _form(group)
    if form.validate_on_submit():
        proposal = posts.draft_proposal(current_user, group, membership, form.title.data,
                                        form.body.data,
                                        int(form.theme.data) if form.theme.data else None)
        db.session.commit()
        flash(_("Proposition enregistrée. Les membres peuvent la soutenir."), "success")
        return redirect(url_for("groups.proposal", slug=slug, proposal_id=proposal.id), 303)
    return render("groups/proposal_form.html", form=form, group=group, proposal=None,
                  status=422 if form.errors else 200)


@bp.route("/<slug>/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit_proposal(slug, proposal_id):
    """Rework my draft proposal."""
    group, _membership = load_group(slug)
    item = get_proposal_or_404(group, proposal_id)
    posts.ensure_own_draft(current_user, group, item)
    form = _form(group, item)
    if form.validate_on_submit():
        theme_id = int(form.theme.data) if form.theme.data else None
        posts.edit_proposal(current_user, group, item, form.title.data, form.body.data, theme_id)
        db.session.commit()
        flash(_("Proposition modifiée."), "success")
        return redirect(url_for("groups.proposal", slug=slug, proposal_id=item.id), 303)
    return render("groups/proposal_form.html", form=form, group=group, proposal=item,
                  status=422 if form.errors else 200)


def _page(group, membership, item, form=None, status=200, block=None):
    """Render the proposal page (or its submission block): supports, and where it went."""
    animates = service.can_animate(current_user, group, membership)
    choices = posts.consultations_for(group, item) if animates else []
    form = form or SubmitProposalForm(formdata=None)
    form.consultation.choices = [Choice(str(c.id), c.title) for c in choices]
    option, consultation = consultations_service.get_option(item.option_id)
    return render("groups/proposal.html", block, status=status, group=group,
                  membership=membership, proposal=item, animates=animates, submit_form=form,
                  option=option, consultation=consultation,
                  supported=item.id in posts.supported_ids(current_user, [item]))


@bp.route("/<slug>/proposals/<int:proposal_id>")
@login_required
def proposal(slug, proposal_id):
    """Show a proposal, its supports, and where it went once submitted."""
    group, membership = load_group(slug, read=True)
    return _page(group, membership, get_proposal_or_404(group, proposal_id))


@bp.route("/<slug>/proposals/<int:proposal_id>/submit", methods=["POST"])
@login_required
def submit_proposal(slug, proposal_id):
    """Submit the proposal to an open consultation on its theme (animateurs only)."""
    group, membership = load_group(slug)
    if not service.can_animate(current_user, group, membership):
        abort(403)
    item = get_proposal_or_404(group, proposal_id)
    form = SubmitProposalForm()
    form.consultation.choices = []
    if not form.validate_on_submit():
        return _page(group, membership, item, form, status=422, block="submission")
    posts.submit_proposal(current_user, group, membership, item, int(form.consultation.data))
    db.session.commit()
    flash(_("La proposition est soumise à la consultation, au nom du groupe."), "success")
    if is_partial():
        db.session.expire_all()
        return _page(group, membership, get_proposal_or_404(group, proposal_id),
                     block="submission")
    return redirect(url_for("groups.proposal", slug=slug, proposal_id=item.id), 303)


@bp.route("/<slug>/proposals/<int:proposal_id>/support", methods=["POST"])
@login_required
def support(slug, proposal_id):
    """Support a proposal, or withdraw my support; htmx swaps the button and count."""
    group, membership = load_group(slug)
    item = get_proposal_or_404(group, proposal_id)
    supported = posts.toggle_support(current_user, group, membership, item)
    db.session.commit()
    if is_partial():
        return render("groups/proposal.html", "support", group=group, membership=membership,
                      proposal=item, supported=supported)
    flash(_("Merci pour ton soutien.") if supported else _("Soutien retiré."), "success")
    return redirect(url_for("groups.proposal", slug=slug, proposal_id=item.id), 303)
