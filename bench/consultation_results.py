"""Time the results of a national consultation at full scale, on SQLite.

Builds, in a temporary database: the whole French geography, ~3,000 sections, 40,000 eligible
members, 30 options and 25,000 ranked ballots (bulk inserts), then times `results.compute` and
`results.close` (compute + unlinking every ballot). Budget (DESIGN.md): ≤ 1 s.

    .venv/bin/python bench/consultation_results.py
"""

import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from national_sections import make_sections  # noqa: E402

from coopol import create_app  # noqa: E402
from coopol.consultations import results  # noqa: E402
from coopol.consultations.models import (  # noqa: E402
    AreaResult,
    Ballot,
    BallotChoice,
    Consultation,
    Option,
    Participation,
)
from coopol.database import utcnow  # noqa: E402
from coopol.extensions import db  # noqa: E402
from coopol.geo import service as geo_service  # noqa: E402
from coopol.geo.models import Section  # noqa: E402
from coopol.profile.models import Member  # noqa: E402

MEMBERS, OPTIONS, BALLOTS, SECTIONS, RANKED = 40_000, 30, 25_000, 3_000, 5


def build(rng: random.Random) -> Consultation:
    placed = make_sections(SECTIONS)
    people = [rng.choice(placed) for _ in range(MEMBERS)]
    db.session.execute(insert(Member), [
        {"id": i + 1, "email": f"m{i}@exemple.fr", "password_hash": "x",
         "display_name": f"Membre {i}", "commune_insee": insee, "section_id": section,
         "status": "adherent", "adherent_confirmed_at": utcnow(), "skills": "", "bio": "",
         "visibility": "section", "session_nonce": "n", "created_at": utcnow()}
        for i, (insee, _fed, section) in enumerate(people)])
    now = utcnow()
    consultation = Consultation(
        title="Banc d'essai", method="ranking", max_choices=RANKED, eligibility="adherents",
        contributions_open_at=now - timedelta(days=3), vote_opens_at=now - timedelta(days=2),
        vote_closes_at=now - timedelta(seconds=1), syntheses_due_at=now + timedelta(days=9))
    db.session.add(consultation)
    db.session.flush()
    db.session.execute(insert(Option), [
        {"id": i + 1, "consultation_id": consultation.id, "title": f"Option {i + 1}",
         "text": "", "origin": "organiser", "status": "accepted", "group_name": "",
         "reject_reason": "", "created_at": now} for i in range(OPTIONS)])
    voters = rng.sample(range(MEMBERS), BALLOTS)
    weights = [OPTIONS - i for i in range(OPTIONS)]  # some options are more popular
    ballots, choices, participations = [], [], []
    for n, index in enumerate(voters):
        insee, fed, section = people[index]
        key = n + 1
        ballots.append({"id": key, "consultation_id": consultation.id, "section_id": section,
                        "federation_code": fed})
        participations.append({"consultation_id": consultation.id, "member_id": index + 1,
                               "section_id": section, "ballot_id": key, "created_at": now})
        ranked = set()
        while len(ranked) < RANKED:
            ranked.add(rng.choices(range(1, OPTIONS + 1), weights)[0])
        choices += [{"ballot_id": key, "option_id": o, "value": r}
                    for r, o in enumerate(ranked, start=1)]
    db.session.execute(insert(Ballot), ballots)
    db.session.execute(insert(BallotChoice), choices)
    db.session.execute(insert(Participation), participations)
    db.session.commit()
    return consultation


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                          "SECRET_KEY": "bench", "RATELIMIT_STORAGE_URI": "memory://"})
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            started = time.perf_counter()
            geo_service.load_geography()
            consultation = build(random.Random(6))  # noqa: S311 - reproducible test data
            print(f"setup: {time.perf_counter() - started:.1f} s")
            counts = [db.session.scalar(select(func.count()).select_from(m))
                      for m in (Member, Section, Option, Ballot, BallotChoice)]
            print("members {}, sections {}, options {}, ballots {}, ballot choices {}"
                  .format(*counts))
            timings = []
            for _ in range(3):
                started = time.perf_counter()
                results.compute(consultation)
                db.session.commit()
                timings.append(time.perf_counter() - started)
            started = time.perf_counter()
            results.close(consultation)
            db.session.commit()
            close_time = time.perf_counter() - started
            areas = db.session.scalar(select(func.count()).select_from(AreaResult))
            print(f"areas stored: {areas}")
            print(f"compute (3 runs): best {min(timings):.3f} s, worst {max(timings):.3f} s")
            print(f"close (compute + unlinking 25,000 participations): {close_time:.3f} s")
            print("compute within the 1 s budget:", "yes" if min(timings) <= 1 else "NO")


if __name__ == "__main__":
    main()
