"""Dashboards: a section's, a fédération's (its sections side by side) and the nation's."""

from datetime import date

from flask import abort, current_app, request
from flask_babel import format_date, format_number
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..geo.models import Federation, Section
from ..htmx import is_partial, render
from ..pagination import page_arg
from ..profile import service as profile_service
from ..profile.models import Role
from . import bp, charts, service


@bp.app_template_filter("format_number")
def _format_number(value) -> str:
    """Write a figure in the reader's locale (40 000 in French)."""
    return format_number(value)


def _month_labels(months: list[str], pattern: str) -> list[str]:
    return [format_date(date(int(key[:4]), int(key[5:]), 1), pattern) for key in months]


def _comparison(level: str, federation_code: str | None = None):
    """Sort (?sort=, ?order=asc|desc) and page the areas compared side by side."""
    sort = request.args.get("sort", "name")
    sort = sort if sort in service.SORTS else "name"
    order = request.args.get("order")
    ascending = {"asc": True, "desc": False}.get(order or "")
    rows = service.sort_rows(service.side_by_side(level, federation_code), sort, ascending)
    page = service.ListPage(rows, page_arg(), current_app.config["PAGE_SIZE"])
    shown = "members" if sort == "name" else sort
    chart = charts.rows([(row["name"], row[shown]) for row in page.items],
                        " %" if shown == "rate" else "")
    ascending = sort == "name" if ascending is None else ascending
    return {"page": page, "sort": sort, "ascending": ascending, "shown": shown, "chart": chart,
            "level": level}


def _dashboard(area: service.Area, comparison: dict | None = None, endpoint_args=None):
    """Render the area's page, or only the areas side by side when htmx sorts or pages them."""
    if comparison is not None and is_partial():
        return render("dashboards/area.html", "comparison", comparison=comparison,
                      endpoint_args=endpoint_args or {})
    data = service.figures(area)
    short = _month_labels(data.months, "MMM")
    series = data.series
    return render(
        "dashboards/area.html", "comparison", area=area, data=data,
        months=_month_labels(data.months, "MMMM y"),
        members_chart=charts.columns(short, series["new"]),
        events_chart=charts.columns(short, series["events"]),
        attendance_chart=charts.lines(short, {"going": series["going"],
                                              "checked_in": series["checked_in"]}),
        consultations_chart=charts.rows([(c["title"], c["rate"]) for c in data.consultations],
                                        " %"),
        comparison=comparison, endpoint_args=endpoint_args or {})


@bp.route("/")
@login_required
def index():
    """List the dashboards the member's secretary or admin roles open."""
    roles = db.session.scalars(
        select(Role).where(Role.member_id == current_user.id,
                           Role.role.in_(("secretary", "admin")))
        .options(selectinload(Role.section), selectinload(Role.federation))).all()
    national = any(role.section_id is None and role.federation_code is None for role in roles)
    # A scoped "admin" role opens nothing here: only secretaries' scopes and national admins.
    roles = [role for role in roles if role.role == "secretary"]
    if not roles and not national:
        abort(403)
    sections = sorted({r.section for r in roles if r.section is not None}, key=lambda s: s.name)
    federations = sorted({r.federation for r in roles if r.federation is not None},
                         key=lambda f: f.code)
    return render("dashboards/index.html", national=national, sections=sections,
                  federations=federations)


@bp.route("/sections/<int:section_id>")
@login_required
def section(section_id):
    """Show a section's members, events and consultation participation over 12 months."""
    section = db.session.get(Section, section_id) or abort(404)
    if not profile_service.has_role(current_user, "secretary", section=section):
        abort(403)
    return _dashboard(service.section_area(section))


@bp.route("/federations/<code>")
@login_required
def federation(code):
    """Show a fédération's figures and its sections side by side."""
    federation = db.session.get(Federation, code[:3]) or abort(404)
    if not profile_service.has_role(current_user, "secretary", federation_code=federation.code):
        abort(403)
    return _dashboard(service.federation_area(federation),
                      _comparison("section", federation.code), {"code": federation.code})


@bp.route("/national")
@login_required
def national():
    """Show the nation's figures and the fédérations side by side."""
    if not profile_service.has_role(current_user, "secretary"):
        abort(403)
    return _dashboard(service.Area("national", "", _("National")), _comparison("federation"))
