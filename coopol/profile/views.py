"""My profile, other members' profiles, consent, and adhérent confirmation by secretaries."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice as Choice

from ..extensions import db
from ..geo import service as geo_service
from ..htmx import is_partial, render
from ..pagination import paginate
from . import blocking, bp, panels, service
from .forms import ConsentForm, ProfileForm
from .models import Member


def get_member_or_404(member_id: int) -> Member:
    return db.session.get(Member, member_id) or abort(404)


@bp.route("/")
@login_required
def me():
    """Show my whole profile, as I see it."""
    return render("profile/show.html", member=current_user, consent_form=ConsentForm(),
                  history=service.consent_history(current_user), own=True,
                  boxes=panels.gather(panels.showing_profile, current_user._get_current_object()))


def _section_choices(form: ProfileForm, federation_code: str | None) -> None:
    sections = geo_service.sections(federation_code) if federation_code else []
    form.section.choices = [Choice("", _("Aucune section"))] + [
        Choice(str(s.id), s.name) for s in sections
    ]


@bp.route("/edit", methods=["GET", "POST"])
@login_required
def edit():
    """Edit my profile; changing commune moves me to that commune's section."""
    member = current_user._get_current_object()
    form = ProfileForm(obj=member)
    form.interests.choices = [Choice(t.id, t.name) for t in service.themes()]
    if request.method == "GET":
        form.place.data = member.commune.label if member.commune else ""
        form.commune.choices = [Choice(member.commune.insee, member.commune.label)] \
            if member.commune else []
        form.commune.data = member.commune_insee
        form.section.data = str(member.section_id or "")
        form.interests.data = [t.id for t in member.interests]
    commune_before = member.commune_insee
    # A member may pick another section of their fédération; moving commune resets it.
    _section_choices(form, member.commune.federation_code if member.commune else None)
    if form.validate_on_submit():
        member.display_name = form.display_name.data.strip()
        commune = form.chosen_commune
        if commune.insee != commune_before:
            service.place_member(member, commune)
        elif (form.section.data or None) != (str(member.section_id) if member.section_id
                                             else None):
            member.section_id = int(form.section.data) if form.section.data else None
        service.set_status(member, form.status.data)
        service.set_interests(member, form.interests.data)
        member.skills = ", ".join(s.strip() for s in form.skills.data.split(",") if s.strip())
        member.bio = form.bio.data.strip()
        member.visibility = form.visibility.data
        db.session.commit()
        flash(_("Ton profil est enregistré."), "success")
        return redirect(url_for("profile.me"), 303)
    status = 422 if form.errors else 200
    return render("profile/edit.html", form=form, status=status)


@bp.route("/consent", methods=["POST"])
@login_required
def consent():
    """Give or withdraw consent to be contacted for mobilisation by interest."""
    form = ConsentForm()
    if not form.validate_on_submit():
        flash(_("Choisis d'accepter ou de retirer ton accord."), "error")
        return redirect(url_for("profile.me"), 303)
    given = form.decision.data == "give"
    if service.set_mobilisation_consent(current_user, given):
        db.session.commit()
    flash(_("Accord enregistré : tu pourras être sollicité·e selon tes thèmes.") if given
          else _("Accord retiré : personne ne te sollicitera plus selon tes thèmes."), "success")
    if request.headers.get("HX-Request") == "true":
        return render("profile/show.html", "consent", member=current_user,
                      consent_form=ConsentForm(formdata=None),
                      history=service.consent_history(current_user), own=True)
    return redirect(url_for("profile.me"), 303)


@bp.route("/<int:member_id>")
@login_required
def show(member_id):
    """Show another member's profile, as far as their visibility allows."""
    member = get_member_or_404(member_id)
    moderate = blocking.can_block(current_user, member)
    if member.is_blocked and not moderate:
        abort(404)  # a blocked account shows to no one but those who may unblock it
    if not service.can_see_profile(current_user, member):
        abort(403)
    own = member.id == current_user.id
    return render("profile/show.html", member=member, own=own, consent_form=None, history=[],
                  moderate=moderate)


@bp.route("/pending")
@login_required
def pending():
    """List the adhérents awaiting confirmation in the sections I am secretary of."""
    scope = service.secretary_scope(current_user)
    if scope is None:
        abort(403)
    pagination = paginate(service.pending_adherents(scope))
    return render("profile/pending.html", "pending", pagination=pagination)


@bp.route("/<int:member_id>/confirm", methods=["POST"])
@login_required
def confirm_adherent(member_id):
    """Confirm that a member who says they are adhérent really is."""
    member = get_member_or_404(member_id)
    if not service.has_role(current_user, "secretary", section=member.section):
        abort(403)
    if not member.is_adherent_pending:
        flash(_("%(name)s n'attend pas de confirmation.", name=member.display_name), "info")
    else:
        service.confirm_adherent(current_user, member)
        db.session.commit()
        flash(_("%(name)s est confirmé·e comme adhérent·e.", name=member.display_name), "success")
    if is_partial():
        return pending()
    return redirect(url_for("profile.pending", page=request.args.get("page")), 303)
