"""A real Coopol server on 127.0.0.1 for the browser tests, on its own SQLite database.

The database is prepared as a volunteer's would be: migrations, a subset of the geography, the
default themes and the demo sections and members (`flask init --demo`). Mail goes to the memory
backend; `deliver_mail()` runs the outbox worker and returns what it sent.
"""

import threading
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import make_server

from coopol import create_app, demo, mail
from coopol.cli import ensure_themes
from coopol.extensions import db
from coopol.geo import service as geo_service
from coopol.geo.models import Section

DEPARTEMENTS = {"38", "75", "95"}  # the demo's sections: Grenoble, Cergy-Pontoise, Paris 11e
DEMO_PASSWORD = demo.DEMO_PASSWORD


class LiveServer:
    """Serve a freshly prepared Coopol from a thread; stop it with `stop()`."""

    def __init__(self, folder: Path):
        self.app = create_app({
            "SECRET_KEY": "e2e-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'e2e.sqlite3'}",
            "MAIL_BACKEND": "memory",
            # Journeys log in and register many times a minute; limits have their own tests.
            "RATELIMIT_ENABLED": False,
            # A robot fills the sign-up form faster than a person may; the honeypot stays on.
            "FORM_MIN_SECONDS": 0,
        })
        with self.app.app_context():
            upgrade(directory=self.app.extensions["migrate"].directory)
            geo_service.load_geography(DEPARTEMENTS)
            ensure_themes()
            demo.seed_demo()
            from tests.e2e.seed import seed_journeys  # it imports DEMO_PASSWORD from here

            seed_journeys()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.app.config["BASE_URL"] = self.url  # links in mails point here
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)

    def deliver_mail(self) -> list:
        """Send the queued mails and return every mail sent so far (EmailMessage objects)."""
        with self.app.app_context():
            mail.work_once()
            return list(self.app.extensions.get("coopol_sent_mail", []))

    def section_id(self, name: str) -> int:
        with self.app.app_context():
            return db.session.scalar(select(Section.id).where(Section.name == name))

    def query(self, statement):
        """Run a select on the server's database and return the scalar result."""
        with self.app.app_context():
            return db.session.scalar(statement)
