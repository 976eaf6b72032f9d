"""Time the organisers' tools at national scale, on SQLite (or COOPOL_BENCH_DATABASE_URL).

Builds, in a temporary SQLite database: the whole French geography, ~3,000 sections, 40,000
members (half of them consenting to be mobilised, up to three interests each), then times:
the filter count (national admin, with and without filters, and a fédération secretary), the
names page (a whole request, as the browser gets it), and queuing a mobilisation to the
20,000 consenting members (one INSERT … SELECT into the outbox and one into its recipients).

    .venv/bin/python bench/organize.py
"""

import logging
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from national_sections import make_sections  # noqa: E402

from coopol import create_app  # noqa: E402
from coopol.database import utcnow  # noqa: E402
from coopol.extensions import db  # noqa: E402
from coopol.geo import service as geo_service  # noqa: E402
from coopol.mail import OutboxMail  # noqa: E402
from coopol.organize import mobilise, service  # noqa: E402
from coopol.profile.models import Member, Role, Theme, member_interest  # noqa: E402

MEMBERS, SECTIONS, THEMES = 40_000, 3_000, 20


def build(rng: random.Random) -> None:
    placed = [(insee, section) for insee, _fed, section in make_sections(SECTIONS)]
    now = utcnow()
    db.session.execute(insert(Member), [
        {"id": i + 1, "email": f"m{i}@exemple.fr", "password_hash": "x",
         "display_name": f"Membre {rng.randint(0, 99999):05d}", "commune_insee": insee,
         "section_id": section, "status": rng.choice(("adherent", "sympathisant")),
         "adherent_confirmed_at": now, "skills": rng.choice(("", "graphisme", "juridique")),
         "bio": "", "visibility": "section", "session_nonce": "n", "created_at": now,
         "email_confirmed_at": now, "last_seen_at": now,
         # Exactly half consent: the mobilisation below reaches 20,000 members.
         "mobilisation_consent_at": now if i % 2 == 0 else None}
        for i, (insee, section) in enumerate(rng.choice(placed) for _ in range(MEMBERS))])
    db.session.execute(insert(Theme), [{"id": t + 1, "name": f"Thème {t + 1}"}
                                       for t in range(THEMES)])
    db.session.execute(insert(member_interest), [
        {"member_id": m + 1, "theme_id": t}
        for m in range(MEMBERS) for t in rng.sample(range(1, THEMES + 1), rng.randint(0, 3))])
    db.session.execute(insert(Member), [
        {"id": MEMBERS + 1, "email": "admin@exemple.fr", "password_hash": "x",
         "display_name": "Admin", "status": "adherent", "skills": "", "bio": "",
         "visibility": "section", "session_nonce": "n", "created_at": now}])
    db.session.execute(insert(Role), [{"member_id": MEMBERS + 1, "role": "admin",
                                       "granted_at": now}])
    db.session.commit()


def timed(function, runs: int = 10) -> tuple[float, float, float]:
    """Run `function`; return its median and worst wall time and its median CPU time, in ms.

    The CPU time (this process: Python, Jinja, SQLite) does not depend on the machine's load.
    """
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(times), max(times), statistics.median(cpu)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        # With an argument, the database is kept there (to explore query plans afterwards).
        path = sys.argv[1] if len(sys.argv) > 1 else f"{folder}/bench.sqlite3"
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                          "SECRET_KEY": "bench", "RATELIMIT_STORAGE_URI": "memory://",
                          "ORGANIZE_MOBILISATIONS_PER_DAY": 0})
        logging.disable(logging.INFO)  # the request and migration logs
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            started = time.perf_counter()
            geo_service.load_geography()
            build(random.Random(7))  # noqa: S311 - reproducible test data
            print(f"setup: {time.perf_counter() - started:.1f} s")
            consenting = db.session.scalar(select(func.count(Member.id)).where(
                Member.mobilisation_consent_at.is_not(None)))
            print(f"members {MEMBERS}, consenting {consenting}, sections {SECTIONS}")
            admin = db.session.get(Member, MEMBERS + 1)
            national = service.scope_of(admin)
            federation = service.Scope(federations=frozenset({"38"}))
            for label, scope, flt in (
                ("national, no filter", national, service.MemberFilter()),
                ("national, 2 themes + status", national,
                 service.MemberFilter(themes=[1, 2], status="adherent")),
                ("national, skills text", national, service.MemberFilter(skills="graph")),
                ("fédération 38, theme", federation, service.MemberFilter(themes=[3])),
            ):
                found = service.count(scope, flt)
                median, worst, cpu = timed(lambda s=scope, f=flt: service.count(s, f))
                print(f"count {label}: {found} found, median {median:.1f} ms, "
                      f"worst {worst:.1f} ms, CPU {cpu:.1f} ms")
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = admin.get_id()
            for path in ("/organize/?themes=1&themes=2", "/organize/members?themes=1",
                         "/organize/members?themes=1&page=50"):
                assert client.get(path).status_code == 200, path
                median, worst, cpu = timed(lambda p=path: client.get(p))
                print(f"page {path}: median {median:.1f} ms, worst {worst:.1f} ms, "
                      f"CPU {cpu:.1f} ms")
            timings = []
            for _ in range(3):
                started = time.perf_counter()
                sent = mobilise.send(admin, national, service.MemberFilter(), "Appel",
                                     "Venez **nombreux**.")
                db.session.commit()
                timings.append(time.perf_counter() - started)
            queued = db.session.scalar(select(func.count(OutboxMail.id)).where(
                OutboxMail.mobilisation_id == sent.id))
            print(f"queue a mobilisation to {queued} members (3 runs): best "
                  f"{min(timings):.3f} s, worst {max(timings):.3f} s")
            print("queued within 1 s:", "yes" if max(timings) < 1 else "NO")
            started = time.perf_counter()
            mobilise.progress(sent)
            print(f"progress counts: {(time.perf_counter() - started) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
