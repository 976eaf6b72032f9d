"""Log seeded members in to a running Coopol over HTTP; write their cookies for bench/load.lua.

    .venv/bin/python bench/sessions.py http://127.0.0.1:8765 200 > sessions.tsv
    .venv/bin/python bench/sessions.py http://127.0.0.1:8765 200 EVENT_ID > sessions.tsv

Each line: session cookie, CSRF token (for the X-CSRFToken header), an upcoming event to RSVP
to, the open consultation and one of its options (the vote taps), the biggest group's slug.
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
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pages import targets  # noqa: E402

from coopol import create_app  # noqa: E402
from coopol.consultations.models import Option  # noqa: E402
from coopol.database import utcnow  # noqa: E402
from coopol.events.models import Event  # noqa: E402
from coopol.extensions import db  # noqa: E402
from coopol.profile.models import Member  # noqa: E402
from coopol.seed_scale import SCALE_PASSWORD  # noqa: E402

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def login(base: str, email: str, join: str | None = None) -> tuple[str, str]:
    """Log in like a browser (form, CSRF token, cookie); return the cookie and a CSRF token.

    With `join`, a group slug, also join that group (as the button on its page does).
    """
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
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


def main() -> None:
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
        events = db.session.scalars(select(Event.id).where(
            Event.status == "scheduled", Event.capacity.is_(None), Event.starts_at > utcnow())
            .order_by(Event.starts_at).limit(20)).all()
    for n, email in enumerate(members):
        cookie, token = login(base, email, found["slug"] if contested else None)
        line = [cookie, token, events[n % len(events)], found["open"], found["option"],
                found["slug"]]
        if contested:
            three = ",".join(str(options[(n + k) % len(options)]) for k in range(3))
            line += [rows[n].id, found["thread"], contested, three]
        print("\t".join(map(str, line)))


if __name__ == "__main__":
    main()
