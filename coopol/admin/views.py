"""National admin tools: the theme list, sections and their communes, scoped roles."""

from functools import wraps

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice as Choice

from ..extensions import db
from ..geo import service as geo_service
from ..geo.models import Federation, Section
from ..htmx import render
from ..pagination import paginate
from ..profile import service as profile_service
from ..profile.models import Role, Theme
from ..web import safe_next
from . import bp
from .forms import RoleForm, SectionForm, ThemeForm


def admin_required(view):
    """Let only national admins through."""
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not profile_service.is_admin(current_user):
            abort(403)
        return view(*args, **kwargs)
    return wrapped


@bp.route("/")
@admin_required
def index():
    """Show the admin's tools."""
    return render("admin/index.html")


# --- themes ---------------------------------------------------------------------------------


@bp.route("/themes", methods=["GET", "POST"])
@admin_required
def themes():
    """List themes and add one."""
    form = ThemeForm()
    if form.validate_on_submit():
        name = form.name.data.strip()
        if any(t.name.lower() == name.lower() for t in profile_service.themes()):
            form.name.errors.append(_("Ce thème existe déjà."))
        else:
            db.session.add(Theme(name=name))
            db.session.commit()
            flash(_("Thème « %(name)s » ajouté.", name=name), "success")
            return redirect(url_for("admin.themes"), 303)
    status = 422 if form.errors else 200
    return render("admin/themes.html", form=form, themes=profile_service.themes(), status=status)


@bp.route("/themes/<int:theme_id>/delete", methods=["POST"])
@admin_required
def delete_theme(theme_id):
    """Remove a theme; members who had it simply lose that interest."""
    theme = db.session.get(Theme, theme_id) or abort(404)
    db.session.delete(theme)
    db.session.commit()
    flash(_("Thème « %(name)s » supprimé.", name=theme.name), "success")
    return redirect(url_for("admin.themes"), 303)


# --- sections -------------------------------------------------------------------------------


@bp.route("/sections")
@admin_required
def sections():
    """List the sections to edit them."""
    return render("admin/sections.html", pagination=paginate(geo_service.sections_query()))


@bp.route("/sections/new", methods=["GET", "POST"], defaults={"section_id": None})
@bp.route("/sections/<int:section_id>", methods=["GET", "POST"])
@admin_required
def edit_section(section_id):
    """Create a section or change its name and communes."""
    section = Section()
    if section_id is not None:
        section = db.session.get(Section, section_id,
                                 options=[selectinload(Section.communes)]) or abort(404)
    form = SectionForm(obj=section)
    form.federation.choices = [Choice(f.code, f.label) for f in geo_service.federations()]
    if request.method == "GET" and section.id:
        form.federation.data = section.federation_code
        form.communes.data = " ".join(f"insee:{c.insee}" for c in section.communes)
    if form.validate_on_submit():
        communes, unknown = geo_service.resolve_communes(form.communes.data)
        outside = [c.name for c in communes if c.federation_code != form.federation.data]
        if unknown:
            form.communes.errors.append(_(
                "Codes inconnus ou ambigus : %(codes)s. Précise cp:38000 (code postal) ou "
                "insee:38185 (code INSEE).", codes=", ".join(unknown)))
        elif outside:
            form.communes.errors.append(_("Hors de cette fédération : %(names)s.",
                                          names=", ".join(outside)))
        elif geo_service.section_name_taken(form.name.data, section.id):
            form.name.errors.append(_("Une section porte déjà ce nom."))
        else:
            section.federation_code = form.federation.data
            geo_service.save_section(section, form.name.data.strip(), communes)
            profile_service.place_unplaced_members(section)
            db.session.commit()
            flash(_("Section « %(name)s » enregistrée.", name=section.name), "success")
            return redirect(url_for("admin.sections"), 303)
    status = 422 if form.errors else 200
    return render("admin/section_form.html", form=form, section=section, status=status)


# --- roles ----------------------------------------------------------------------------------


def _scope_choices():
    """National and fédération scopes; section scopes are granted from the section's page."""
    choices = [Choice("national", _("National"))]
    choices += [Choice(f"f:{f.code}", _("Fédération %(label)s", label=f.label))
                for f in geo_service.federations()]
    return choices


def _parse_scope(value: str):
    """Turn a posted scope into (fédération code, section id), or None if it does not exist."""
    kind, _sep, key = (value or "").partition(":")
    if value == "national":
        return None, None
    if kind == "f" and db.session.get(Federation, key) is not None:
        return key, None
    if kind == "s" and key.isdigit() and db.session.get(Section, int(key)) is not None:
        return None, int(key)
    return None


@bp.route("/roles", methods=["GET", "POST"])
@admin_required
def roles():
    """List scoped roles and grant one."""
    form = RoleForm()
    form.scope.choices = _scope_choices()
    if form.validate_on_submit():
        member = profile_service.get_member_by_email(form.email.data)
        scope = _parse_scope(form.scope.data)
        if member is None:
            form.email.errors.append(_("Aucun membre n'a cette adresse."))
        elif scope is None:
            form.scope.errors.append(_("Ce périmètre n'existe pas."))
        else:
            federation, section_id = scope
            if profile_service.grant_role(current_user, member, form.role.data,
                                          federation_code=federation, section_id=section_id):
                db.session.commit()
                flash(_("Rôle donné à %(name)s.", name=member.display_name), "success")
            else:
                flash(_("%(name)s a déjà ce rôle.", name=member.display_name), "info")
            return redirect(safe_next(request.form.get("next")) or url_for("admin.roles"), 303)
    pagination = paginate(
        select(Role).options(selectinload(Role.member), selectinload(Role.section),
                             selectinload(Role.federation))
        .order_by(Role.role, Role.id)
    )
    status = 422 if form.errors else 200
    return render("admin/roles.html", form=form, pagination=pagination, status=status)


@bp.route("/roles/<int:role_id>/revoke", methods=["POST"])
@admin_required
def revoke_role(role_id):
    """Take a role back (logged in the audit log)."""
    role = db.session.get(Role, role_id) or abort(404)
    if role.member_id == current_user.id and role.role == "admin":
        flash(_("Tu ne peux pas te retirer ton propre rôle d'administrateur·ice."), "error")
        return redirect(url_for("admin.roles"), 303)
    profile_service.revoke_role(current_user, role)
    db.session.commit()
    flash(_("Rôle retiré."), "success")
    return redirect(url_for("admin.roles"), 303)
