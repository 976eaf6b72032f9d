"""Log seeded members in to a running Coopol over HTTP; write their cookies for bench/load.lua.

    .venv/bin/python bench/sessions.py http://127.0.0.1:8765 200 > sessions.tsv
    .venv/bin/python bench/sessions.py http://127.0.0.1:8765 200 EVENT_ID > sessions.tsv
    .venv/bin/python bench/sessions.py --refresh sessions.tsv

Each line: session cookie, CSRF token (for the X-CSRFToken header), an upcoming event to RSVP
to, the open consultation and one of its options (the vote taps), the biggest group's slug,
then whether the member already goes to that event and has that option in their ballot (1/0),
and the member's id. `sessions.py --refresh FILE` reads those two states again (bench/load.sh,
between runs).
With a third argument (deploy/scale-out.sh), each member also joins the biggest group over HTTP
and the line goes on with the member's id, the group's latest thread (replies), that event (a
contested one with few places) and three options of the open consultation, comma-separated.
Members are read from the database that COOPOL_DATABASE_URL names, as the server does.
"""

import http.cookiejar
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pages import targets  # noqa: E402

from coopol import create_app  # noqa: E402
from coopol.consultations.models import (  # noqa: E402
    BallotChoice,
    Consultation,
    Option,
    Participation,
)
from coopol.database import utcnow  # noqa: E402
from coopol.events.models import Event, Rsvp  # noqa: E402
from coopol.extensions import db  # noqa: E402
from coopol.profile.models import Member  # noqa: E402
from coopol.seed_scale import SCALE_PASSWORD  # noqa: E402

AGENT = "coopol-bench"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def login(base: str, email: str, join: str | None = None) -> tuple[str, str]:
    """Log in like a browser (form, CSRF token, cookie); return the cookie and a CSRF token.

    With `join`, a group slug, also join that group (as the button on its page does).
    """
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    # The login's session is tied to the browser (Flask-Login's session protection): wrk
    # sends the same User-Agent (bench/members.lua), as a browser keeps its own.
    opener.addheaders = [("User-Agent", AGENT)]
    page = opener.open(f"{base}/auth/login").read().decode()
    form = urllib.parse.urlencode({"csrf_token": TOKEN.search(page).group(1), "email": email,
                                   "password": SCALE_PASSWORD}).encode()
    opener.open(f"{base}/auth/login", form)
    home = opener.open(f"{base}/").read().decode()
    if "auth/logout" not in home:
        sys.exit(f"Connexion refusée pour {email}.")
    token = TOKEN.search(home).group(1)
    if join:
        slug = urllib.parse.quote(join)
        try:
            opener.open(f"{base}/groups/{slug}/join",
                        urllib.parse.urlencode({"csrf_token": token}).encode())
        except urllib.error.HTTPError as error:
            if error.code != 409:  # 409: already in the group
                raise
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, token


def member_state(member_id: int, event_id: int, found: dict) -> tuple[int, int, int, int]:
    """Return the member's event and option, and whether they already go and chose it.

    bench/load.lua alternates RSVP and cancellation, and taps that add and remove the option,
    from that state: earlier runs leave members registered or with the option chosen. A member
    whose ballot is full taps one of their own options (adding another would be refused).
    """
    going = db.session.scalar(select(Rsvp.id).where(
        Rsvp.event_id == event_id, Rsvp.member_id == member_id,
        Rsvp.status.in_(("going", "waitlisted")))) is not None
    chosen = db.session.scalars(select(BallotChoice.option_id).join(
        Participation, Participation.ballot_id == BallotChoice.ballot_id).where(
        Participation.consultation_id == found["open"],
        Participation.member_id == member_id)).all()
    limit = db.session.get(Consultation, found["open"]).max_choices
    option = chosen[0] if len(chosen) >= limit and found["option"] not in chosen \
        else found["option"]
    return event_id, option, int(going), int(option in chosen)


def refresh(path: str) -> None:
    """Rewrite the going/chosen columns of a load file from the database, between runs: a run
    stops wherever it is, leaving some members registered or with their option chosen."""
    app = create_app()
    with app.app_context():
        found = targets()
        lines = [line.split("\t") for line in Path(path).read_text().splitlines()]
        for line in lines:
            _event, option, going, voted = member_state(int(line[8]), int(line[2]), found)
            line[4], line[6], line[7] = str(option), str(going), str(voted)
    Path(path).write_text("".join("\t".join(line) + "\n" for line in lines))


def main() -> None:
    if sys.argv[1] == "--refresh":
        return refresh(sys.argv[2])
    base, count = sys.argv[1], int(sys.argv[2])
    contested = int(sys.argv[3]) if len(sys.argv) > 3 else None
    app = create_app()
    with app.app_context():
        found = targets()
        rows = db.session.execute(select(Member.email, Member.id).where(
            Member.email.like("%@exemple.fr")).order_by(Member.id).limit(count)).all()
        members = [row.email for row in rows]
        options = db.session.scalars(select(Option.id).where(
            Option.consultation_id == found["open"]).order_by(Option.id)).all()
        # Events a day away at least: none starts (and refuses RSVPs) during a run.
        events = db.session.scalars(select(Event.id).where(
            Event.status == "scheduled", Event.capacity.is_(None),
            Event.starts_at > utcnow() + timedelta(days=1))
            .order_by(Event.starts_at).limit(20)).all()
        states = [member_state(row.id, events[n % len(events)], found)
                  for n, row in enumerate(rows)]
    for n, email in enumerate(members):
        cookie, token = login(base, email, found["slug"] if contested else None)
        event, option, going, voted = states[n]
        line = [cookie, token, event, found["open"], option, found["slug"]]
        if contested:
            three = ",".join(str(options[(n + k) % len(options)]) for k in range(3))
            line += [rows[n].id, found["thread"], contested, three]
        else:
            line += [going, voted, rows[n].id]
        print("\t".join(map(str, line)))


if __name__ == "__main__":
    main()
