"""Log seeded members in to a running Coopol over HTTP; write their cookies for bench/load.lua.

    .venv/bin/python bench/sessions.py http://127.0.0.1:8765 200 > sessions.tsv

Each line: session cookie, CSRF token (for the X-CSRFToken header), an upcoming event to RSVP
to, the open consultation and one of its options (the vote taps), the biggest group's slug.
Members are read from the database that COOPOL_DATABASE_URL names, as the server does.
"""

import http.cookiejar
import re
import sys
import urllib.parse
import urllib.request
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pages import targets  # noqa: E402

from coopol import create_app  # noqa: E402
from coopol.database import utcnow  # noqa: E402
from coopol.events.models import Event  # noqa: E402
from coopol.extensions import db  # noqa: E402
from coopol.profile.models import Member  # noqa: E402
from coopol.seed_scale import SCALE_PASSWORD  # noqa: E402

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def login(base: str, email: str) -> tuple[str, str]:
    """Log in like a browser (form, CSRF token, cookie); return the cookie and a CSRF token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/auth/login").read().decode()
    form = urllib.parse.urlencode({"csrf_token": TOKEN.search(page).group(1), "email": email,
                                   "password": SCALE_PASSWORD}).encode()
    opener.open(f"{base}/auth/login", form)
    home = opener.open(f"{base}/").read().decode()
    if "auth/logout" not in home:
        sys.exit(f"Connexion refusée pour {email}.")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, TOKEN.search(home).group(1)


def main() -> None:
    base, count = sys.argv[1], int(sys.argv[2])
    app = create_app()
    with app.app_context():
        found = targets()
        members = db.session.scalars(select(Member.email).where(
            Member.email.like("%@exemple.fr")).order_by(Member.id).limit(count)).all()
        events = db.session.scalars(select(Event.id).where(
            Event.status == "scheduled", Event.capacity.is_(None), Event.starts_at > utcnow())
            .order_by(Event.starts_at).limit(20)).all()
    for n, email in enumerate(members):
        cookie, token = login(base, email)
        print("\t".join(map(str, (cookie, token, events[n % len(events)], found["open"],
                                  found["option"], found["slug"]))))


if __name__ == "__main__":
    main()
