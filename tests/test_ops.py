"""Running for real: health check, request logs, backups that restore, migrations that upgrade."""

import logging

from sqlalchemy import select

from coopol import ops
from coopol.extensions import db
from coopol.profile.models import Member
from tests.conftest import make_member


def test_healthz_reports_database_and_migration(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["migration"]


def test_healthz_fails_when_schema_is_behind(app, client, monkeypatch):
    class Behind:
        def get_current_head(self):
            return "9999"

    monkeypatch.setattr(ops, "_script_directory", lambda: Behind())
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["expected"] == "9999"


def test_one_log_line_per_request_without_personal_data(client, caplog):
    with caplog.at_level(logging.INFO, logger="coopol.request"):
        response = client.get("/auth/login?email=lea@exemple.fr",
                              headers={"X-Request-Id": "abc123"})
    assert response.headers["X-Request-Id"] == "abc123"
    lines = [r.getMessage() for r in caplog.records if r.name == "coopol.request"]
    assert len(lines) == 1
    assert lines[0].startswith("GET /auth/login 200 ") and lines[0].endswith("id=abc123")
    assert "lea@" not in lines[0]


def test_backup_then_restore_brings_data_back(app, tmp_path):
    make_member(email="avant@exemple.fr")
    path = ops.backup(tmp_path, keep=2)
    make_member(email="apres@exemple.fr")
    ops.restore(path)
    emails = set(db.session.scalars(select(Member.email)))
    assert emails == {"avant@exemple.fr"}


def test_backups_are_rotated(app, tmp_path):
    first = ops.backup(tmp_path, keep=1)
    first.rename(first.with_name(first.name.replace("coopol-", "coopol-0000")))
    ops.backup(tmp_path, keep=1)
    assert len(list(tmp_path.glob("coopol-*"))) == 1


def test_backup_cli(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["backup", "--to", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Sauvegarde écrite" in result.output
