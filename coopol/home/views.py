"""Home and section pages: where the blueprints' news about a place come together."""

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..geo import service as geo_service
from ..geo.models import Commune, Section
from ..groups import service as groups_service
from ..htmx import render
from ..notify.feed import feed_page
from ..pagination import paginate
from ..profile import service as profile_service
from ..web import safe_next
from . import bp


@bp.route("/")
def index():
    """Show the visitor's welcome, or the member's section and profile progress."""
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    member = current_user
    percent, missing = profile_service.completeness(member)
    return render(
        "home/member.html",
        percent=percent,
        missing=missing,
        secretaries=profile_service.section_secretaries(member.section),
        my_groups=groups_service.my_groups(member),
        # Events near me, my RSVPs and open consultations: all in the feed, each once.
        feed=feed_page(member),
    )


@bp.route("/privacy")
def privacy():
    """Say in plain French what Coopol stores, why, for how long, and the member's rights."""
    return render_template("home/privacy.html")


@bp.route("/language", methods=["POST"])
def set_language():
    """Remember the language picked in the footer."""
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"), 303)


@bp.route("/sections")
@login_required
def sections():
    """List every section, by fédération."""
    return render("home/sections.html", pagination=paginate(geo_service.sections_query()))


@bp.route("/sections/<int:section_id>")
@login_required
def section(section_id):
    """Show a section: its fédération, communes and secretaries."""
    section = db.session.get(
        Section, section_id,
        options=[selectinload(Section.communes).selectinload(Commune.postal_codes)],
    ) or abort(404)
    return render("home/section.html", section=section,
                  secretaries=profile_service.section_secretaries(section))


@bp.route("/tools")
@login_required
def tools():
    """Show the tools that the member's roles open."""
    if not current_user.roles:
        abort(403)
    return render("home/tools.html", is_admin=profile_service.is_admin(current_user),
                  can_confirm=profile_service.secretary_scope(current_user) is not None,
                  can_see_dashboards=any(r.role == "secretary" for r in current_user.roles)
                  or profile_service.is_admin(current_user))
