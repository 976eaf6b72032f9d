"""Print the database's plan for the long lists of the national dataset.

    export COOPOL_DATABASE_URL=sqlite:///$PWD/instance/scale.sqlite3
    # or: export COOPOL_DATABASE_URL=postgresql://postgres@127.0.0.1/coopol_scale
    .venv/bin/python bench/explain.py

For each query (the first page of participants, eligible members of a page of sections, a
page of the largest group's members, the report's most distant sections, the events to come)
it prints SQLite's EXPLAIN QUERY PLAN or PostgreSQL's EXPLAIN ANALYZE: which index serves it.
"""

import os
import sys
from pathlib import Path

from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coopol import create_app  # noqa: E402
from coopol.consultations import ballots  # noqa: E402
from coopol.consultations.models import AreaResult, Consultation  # noqa: E402
from coopol.database import utcnow  # noqa: E402
from coopol.events.models import Event  # noqa: E402
from coopol.extensions import db  # noqa: E402
from coopol.geo.models import Section  # noqa: E402
from coopol.groups import service as groups_service  # noqa: E402
from coopol.groups.models import Group  # noqa: E402
from coopol.profile.models import Member  # noqa: E402


def queries():
    """Name the statements to explain, built by the application's own functions."""
    open_ = db.session.scalar(select(Consultation).where(Consultation.closed_at.is_(None))
                              .order_by(Consultation.id).limit(1))
    closed = db.session.scalar(select(Consultation).where(Consultation.closed_at.is_not(None))
                               .order_by(Consultation.id).limit(1))
    voted = db.session.scalar(ballots.participants_count(open_))
    group = db.session.scalar(select(Group).order_by(Group.member_count.desc()).limit(1))
    return [
        (f"participants, first page ({voted} participants)",
         ballots.participants_query(open_, voted).limit(50)),
        ("eligible adhérents of a page of 50 sections (closed consultation)",
         ballots._eligible(closed, Member.section_id, func.count())
         .where(Member.section_id.in_(select(Section.id).order_by(Section.name).limit(50)
                                      .scalar_subquery()))
         .group_by(Member.section_id)),
        (f"group members, first page ({group.member_count} members)",
         groups_service.members_query(group, None).limit(50)),
        ("report: the 20 most distant sections",
         select(AreaResult.area_key, AreaResult.distance)
         .where(AreaResult.consultation_id == closed.id, AreaResult.level == "section",
                AreaResult.distance.is_not(None))
         .order_by(AreaResult.distance.desc(), AreaResult.id.desc()).limit(20)),
        ("events to come, counted",
         select(func.count()).select_from(Event).where(Event.status == "scheduled",
                                                       Event.ends_at >= utcnow())),
    ]


def main() -> None:
    url = os.environ.get("COOPOL_DATABASE_URL")
    if not url:
        sys.exit("Indique la base du jeu national dans COOPOL_DATABASE_URL.")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        dialect = db.engine.dialect
        explain = "EXPLAIN QUERY PLAN " if dialect.name == "sqlite" else "EXPLAIN ANALYZE "
        for label, query in queries():
            sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
            print(f"## {label}")
            for row in db.session.execute(text(explain + sql)):
                print("   ", row[-1])
            print()


if __name__ == "__main__":
    main()
