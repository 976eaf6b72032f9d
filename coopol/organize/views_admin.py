"""The audit log (national admins), the adhérents' list import (secretaries), and who
contacted me (every member)."""

from flask import abort, flash, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice as Choice

from ..extensions import db
from ..htmx import render
from ..pagination import paginate
from ..profile import service as profile_service
from ..profile.models import AuditLog, Member
from . import adherents, bp, mobilise, service
from .forms import ApplyImportForm, ImportForm

ACTIONS = {
    "organize.reveal": _l("Noms affichés"), "organize.export": _l("Export CSV de membres"),
    "organize.mobilise": _l("Mobilisation envoyée"), "adherent.import": _l("Import d'adhérents"),
    "adherent.confirm": _l("Adhésion confirmée"), "role.grant": _l("Rôle donné"),
    "role.revoke": _l("Rôle retiré"), "member.erase": _l("Compte effacé"),
    "event.export": _l("Export des participants"), "event.message": _l("Message aux participants"),
    "consultation.export": _l("Export d'une consultation"),
}


@bp.route("/audit")
@login_required
def audit():
    """Read the audit log, newest first, filtered by action (national admins)."""
    if not profile_service.is_admin(current_user):
        abort(403)
    action = request.args.get("action", "")
    query = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if action in ACTIONS:
        query = query.where(AuditLog.action == action)
    else:
        action = ""
    pagination = paginate(query)
    ids = {e.actor_id for e in pagination.items} | {e.subject_id for e in pagination.items}
    names = dict(db.session.execute(select(Member.id, Member.display_name).where(
        Member.id.in_([i for i in ids if i is not None]))).all()) if ids else {}
    return render("organize/audit.html", "entries", pagination=pagination, action=action,
                  actions=ACTIONS, names=names)


def _import_sections(form) -> None:
    scope = service.scope_of(current_user, roles=("admin", "secretary"))
    if scope.empty:
        abort(403)
    form.section.choices = [Choice(s.id, s.name) for s in service.sections_in(scope)]


def _chosen_section(form, value) -> int | None:
    allowed = {choice.value for choice in form.section.choices}
    return value if value in allowed else None


@bp.route("/adherents/import", methods=["GET", "POST"])
@login_required
def import_adherents():
    """Read a section's list of adhérents and report what applying it would do (dry run)."""
    form = ImportForm()
    _import_sections(form)
    report = None
    if form.validate_on_submit():
        section_id = _chosen_section(form, form.section.data)
        if section_id is None:
            abort(403)
        try:
            text = adherents.decode(form.file.data.read(adherents.MAX_BYTES + 1))
        except adherents.ImportError_ as error:
            form.file.errors.append(
                _("Le fichier dépasse 1 Mo : coupe-le en plusieurs listes.")
                if str(error) == "too_large"
                else _("Ce fichier n'est pas du texte : enregistre la liste en CSV."))
        else:
            lines = adherents.read_lines(text)
            if not lines:
                form.file.errors.append(_("Le fichier ne contient aucune adresse."))
            else:
                report = adherents.analyse(section_id, lines)
                emails = [cell.lower() for _n, cell in lines]
                apply_form = ApplyImportForm(formdata=None, section=section_id,
                                             emails=" ".join(emails))
                return render("organize/import.html", form=form, report=report,
                              apply_form=apply_form, applied=False)
    status = 422 if form.errors else 200
    return render("organize/import.html", status=status, form=form, report=None,
                  apply_form=None, applied=False)


@bp.route("/adherents/import/apply", methods=["POST"])
@login_required
def apply_import():
    """Confirm every matched adhérent of the list at once, or nothing."""
    form = ImportForm(formdata=None)
    _import_sections(form)
    apply_form = ApplyImportForm()
    section = apply_form.section.data or ""
    section_id = _chosen_section(form, int(section)) if section.isdigit() else None
    if not apply_form.validate_on_submit() or section_id is None:
        abort(403 if section.isdigit() else 422)
    emails = (apply_form.emails.data or "").split()[:40_000]
    report = adherents.apply(current_user, section_id, emails)
    db.session.commit()
    flash(_("%(n)s adhésions confirmées.", n=len(report.matched)), "success")
    return render("organize/import.html", form=form, report=report, apply_form=None,
                  applied=True)


@bp.route("/contacts")
@login_required
def contacted_me():
    """Show who contacted me through Coopol: the mobilisations that reached me."""
    pagination = paginate(mobilise.received_query(current_user))
    return render("organize/contacted.html", pagination=pagination)
