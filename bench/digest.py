"""Time the notification digest and a national fan-out at full scale, on SQLite.

Builds, in a temporary database, N members (4,000 then 40,000) with three pending digest items
each, and times `flask notify digest --period weekly` (send_digests + commit), counting its SQL
statements; then times a national consultation without a theme announced to every member
(one notification row each, 500 rows per INSERT).

    .venv/bin/python bench/digest.py
"""

import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import event, func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coopol import create_app, signals  # noqa: E402
from coopol.consultations.models import Consultation  # noqa: E402
from coopol.database import utcnow  # noqa: E402
from coopol.extensions import db  # noqa: E402
from coopol.mail import OutboxMail  # noqa: E402
from coopol.notify.digest import send_digests  # noqa: E402
from coopol.notify.models import Notification  # noqa: E402
from coopol.profile.models import Member  # noqa: E402

ITEMS = 3


class Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, *_args):
        self.count += 1


def build(members: int) -> None:
    now = utcnow()
    db.session.execute(insert(Member), [
        {"id": i + 1, "email": f"m{i}@exemple.fr", "password_hash": "x",
         "display_name": f"Membre {i}", "status": "sympathisant", "skills": "", "bio": "",
         "visibility": "section", "session_nonce": "n", "created_at": now,
         "email_confirmed_at": now} for i in range(members)])
    db.session.execute(insert(Notification), [
        {"member_id": i + 1, "kind": "event", "verb": "event_published",
         "title": f"Tractage {k}", "target_type": "event", "target_id": k,
         "dedup_key": f"event:{k}", "channel": "digest", "created_at": now}
        for i in range(members) for k in range(ITEMS)])
    db.session.commit()


def timed(label: str, action) -> None:
    counter = Counter()
    event.listen(db.engine, "before_cursor_execute", counter)
    started, cpu = time.perf_counter(), time.process_time()
    result = action()
    db.session.commit()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    event.remove(db.engine, "before_cursor_execute", counter)
    print(f"{label}: {result}, {counter.count} statements, {elapsed:.2f} s ({cpu:.2f} s CPU)")


def announce_national() -> int:
    now = utcnow()
    consultation = Consultation(
        title="Nos priorités", contributions_open_at=now - timedelta(hours=1),
        vote_opens_at=now + timedelta(days=5), vote_closes_at=now + timedelta(days=9),
        syntheses_due_at=now + timedelta(days=20))
    db.session.add(consultation)
    db.session.flush()
    signals.consultation_opened.send(consultation)
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.target_type == "consultation"))


def run(members: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                          "SECRET_KEY": "bench", "RATELIMIT_STORAGE_URI": "memory://"})
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            build(members)
            print(f"{members} members, {members * ITEMS} pending digest items")
            timed("weekly digest (mails queued)", lambda: send_digests("weekly"))
            mails = db.session.scalar(select(func.count()).select_from(OutboxMail))
            print(f"outbox rows: {mails}")
            timed("digest run again (mails queued)", lambda: send_digests("weekly"))
            timed("national consultation announced (notifications)", announce_national)


if __name__ == "__main__":
    for size in (4_000, 40_000):
        run(size)
