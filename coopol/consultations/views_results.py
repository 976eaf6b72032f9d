"""Results after the close (SVG bars and a table) and the national report, with its exports."""

import csv
import io

from flask import Response, abort, render_template, request
from flask_login import current_user, login_required

from ..extensions import db
from ..htmx import render
from ..profile import service as profile_service
from . import bp, results, rollup, service
from .views import viewable_or_403

LEVEL_KEYS = ("national", "federation", "section")


def _closed_or_404(consultation_id: int):
    consultation = viewable_or_403(consultation_id)
    if consultation.closed_at is None:
        abort(404)  # no results exist before the close
    return consultation


def _titles(consultation):
    options = service.options(consultation, whole=True)
    return {o.id: o.title for o in options}, options


@bp.route("/<int:consultation_id>/results", endpoint="results")
@login_required
def results_page(consultation_id):
    """Show the stored results of one area: the nation, a fédération or a section."""
    consultation = _closed_or_404(consultation_id)
    level = request.args.get("level", "national")
    key = request.args.get("key", "") if level != "national" else ""
    if level not in LEVEL_KEYS:
        abort(404)
    titles, _options = _titles(consultation)
    area = results.area(consultation, level, key)
    if area is None and level != "national":
        abort(404)
    return render("consultations/results.html", "chart", consultation=consultation, area=area,
                  rows=results.bars(consultation, area, titles), level=level,
                  federations=results.areas(consultation, "federation"),
                  min_cell=service.MIN_CELL)


def _report_context(consultation, full: bool) -> dict:
    titles, options = _titles(consultation)
    national = results.area(consultation, "national")
    return {
        "consultation": consultation, "full": full,
        "rows": results.bars(consultation, national, titles), "national": national,
        "federations": results.areas(consultation, "federation") if full else [],
        "titles": titles, "options": options, "merged": service.merged_origins(consultation),
        "figures": rollup.participation_figures(consultation, national),
        "syntheses": rollup.federation_syntheses(consultation) if full else [],
        "compared": rollup.compared_sections(consultation) if full else [],
        "min_cell": service.MIN_CELL,
    }


@bp.route("/<int:consultation_id>/report")
@login_required
def report(consultation_id):
    """Show the national report: everything for admins, its public part for members."""
    consultation = _closed_or_404(consultation_id)
    full = service.can_manage(current_user, consultation)
    return render("consultations/report.html", **_report_context(consultation, full))


def _export(consultation, kind: str) -> None:
    """Let only those who run the consultation export, and log that they did."""
    if not service.can_manage(current_user, consultation):
        abort(403)
    profile_service.audit(current_user, "consultation.export", None,
                          consultation=consultation.id, format=kind)
    db.session.commit()


@bp.route("/<int:consultation_id>/report.html")
@login_required
def report_file(consultation_id):
    """Download the whole report as one self-contained HTML file (styles inside)."""
    consultation = _closed_or_404(consultation_id)
    _export(consultation, "html")
    html = render_template("consultations/report_file.html",
                           **_report_context(consultation, True))
    name = f"rapport-consultation-{consultation.id}.html"
    return Response(html, mimetype="text/html",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/<int:consultation_id>/report.csv")
@login_required
def report_csv(consultation_id):
    """Download every stored figure, one line per area and option, with each option's origin."""
    consultation = _closed_or_404(consultation_id)
    _export(consultation, "csv")
    titles, options = _titles(consultation)
    origins = {o.id: o.origin for o in options}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["niveau", "zone", "bulletins", "inscrits", "presents_reunions", "rang",
                     "option", "origine", "points", "premiers_choix", "points_avec_reunions"])
    for level in LEVEL_KEYS:
        for area in results.areas(consultation, level):
            for rank, (oid, score, firsts, combined) in enumerate(area.scores, start=1):
                writer.writerow([level, area.area_name or area.area_key, area.ballots,
                                 area.eligible, area.attendance, rank, titles.get(oid, ""),
                                 origins.get(oid, ""), score, firsts, combined])
            if not area.scores:
                writer.writerow([level, area.area_name or area.area_key, "<5" if
                                 area.ballots < service.MIN_CELL else area.ballots,
                                 area.eligible, area.attendance, "", "", "", "", "", ""])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="consultation-{consultation.id}.csv"'})
