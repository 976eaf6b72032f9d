"""Find members: the filter and its count, the names on demand (audited), the CSV export."""

import csv
import io

from flask import Response, abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..htmx import render
from ..pagination import paginate
from ..profile import service as profile_service
from . import bp, service
from .forms import parse_filter
from .service import Refusal


def organiser_scope() -> service.Scope:
    """The current member's scope; 403 for a member without an organising role."""
    scope = service.scope_of(current_user)
    if scope.empty:
        abort(403)
    return scope


def read_filter(scope: service.Scope):
    """Read the filter of the query string, checked against the scope; None and its messages
    when a field is malformed."""
    flt, errors = parse_filter(request.args)
    if errors:
        return flt, errors
    service.check_place(scope, flt)
    return flt, {}


def filter_context(scope: service.Scope, flt, errors) -> dict:
    return {"flt": flt, "errors": errors, "args": flt.args(),
            "themes": profile_service.themes(),
            "sections": service.sections_in(scope, service.SECTION_CHOICES + 1),
            "federations": service.federations_in(scope), "groups": service.groups_in(scope),
            "seen_days": service.SEEN_DAYS,
            "can_export": not service.export_scope(current_user).empty}


@bp.route("/")
@login_required
def find():
    """Count the consenting members a filter finds, within my scope; names come on demand."""
    scope = organiser_scope()
    flt, errors = read_filter(scope)
    total = None if errors else service.count(scope, flt)
    return render("organize/find.html", "count", status=422 if errors else 200,
                  total=total, **filter_context(scope, flt, errors))


@bp.route("/members")
@login_required
def members():
    """Show the names a filter finds, page by page; every page shown is written to the log."""
    scope = organiser_scope()
    flt, errors = read_filter(scope)
    if errors:
        return render("organize/find.html", status=422, total=None,
                      **filter_context(scope, flt, errors))
    pagination = paginate(service.names_query(scope, flt))
    viewer = current_user._get_current_object()
    visible = {m.id for m in pagination.items if profile_service.can_see_profile(viewer, m)}
    page = render("organize/members.html", "names", pagination=pagination, flt=flt,
                  args=flt.args(), visible=visible,
                  can_export=not service.export_scope(current_user).empty)
    # Logged once the page is built: committing first would expire the rows it shows.
    profile_service.audit(viewer, "organize.reveal", None, filter=flt.args(),
                          page=pagination.page, count=len(pagination.items),
                          total=pagination.total)
    db.session.commit()
    return page


def _cell(value: str) -> str:
    """Keep a member's text from being read as a formula by a spreadsheet."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@bp.route("/members.csv")
@login_required
def members_csv():
    """Export the names a filter finds as CSV (secretaries only); the export is logged."""
    scope = service.export_scope(current_user)
    if scope.empty:
        abort(403)
    flt, errors = read_filter(scope)
    if errors:
        raise Refusal(" ".join(errors.values()), 422)
    rows = service.export_rows(scope, flt)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Nom"), _("E-mail"), _("Commune"), _("Section"), _("Statut"),
                     _("Thèmes"), _("Compétences")])
    for m in rows:
        writer.writerow([_cell(m.display_name), m.email, m.commune.name if m.commune else "",
                         m.section.name if m.section else "", m.status,
                         ", ".join(t.name for t in m.interests), _cell(m.skills)])
    profile_service.audit(current_user, "organize.export", None, filter=flt.args(),
                          count=len(rows))
    db.session.commit()
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="coopol-membres.csv"'})

