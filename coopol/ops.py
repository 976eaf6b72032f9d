"""Production: health check, a log line per request, proxies, backups, the migration lock."""

import gc
import gzip
import logging
import shutil
import sqlite3

# pg_dump and pg_restore, with arguments we build and no shell.
import subprocess  # noqa: S404  # nosec B404
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app, g, jsonify, request
from flask.logging import default_handler
from flask_babel import get_translations
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import db

log = logging.getLogger("coopol.request")


def healthz():
    """Answer 200 when the database answers and its schema is at the latest migration."""
    try:
        with db.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy
        current_app.logger.error("healthz: database unreachable: %s", type(error).__name__)
        return jsonify(status="error", database="unreachable"), 503
    head = _script_directory().get_current_head()
    if current != head:
        return jsonify(status="error", database="ok", migration=current, expected=head), 503
    return jsonify(status="ok", database="ok", migration=current)


def _script_directory() -> ScriptDirectory:
    # Kept per app: it reads every migration script once, not at each health check.
    scripts = current_app.extensions.get("coopol_scripts")
    if scripts is None:
        scripts = current_app.extensions["coopol_scripts"] = ScriptDirectory.from_config(
            current_app.extensions["migrate"].migrate.get_config())
    return scripts


def _start_timer():
    g.request_started = time.perf_counter()
    g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex[:16]


def _log_request(response):
    """Log method, path, status, time and request id; never a query string or a member's data."""
    started = g.get("request_started")
    if started is not None and request.endpoint != "static":
        elapsed = (time.perf_counter() - started) * 1000
        log.info("%s %s %s %.1fms id=%s", request.method, request.path, response.status_code,
                 elapsed, g.request_id)
    response.headers.setdefault("X-Request-Id", g.get("request_id", ""))
    return response


@contextmanager
def migration_lock():
    """Hold a lock while migrating, so that servers starting together migrate once."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(726374)"))
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(726374)"))
                connection.commit()
    else:
        import fcntl

        path = Path(current_app.instance_path) / "migrate.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def migrate_once(then=None):
    """Upgrade the schema to the latest migration under the migration lock.

    `then`, if given, runs under the same lock (loading reference data): a server that starts
    beside another waits until the first has finished, then finds nothing left to do.
    """
    asked = time.perf_counter()
    with migration_lock():
        started = time.perf_counter()
        upgrade(directory=current_app.extensions["migrate"].directory)
        result = then() if then is not None else None
        current_app.logger.info("migration lock: waited %.1f s, held %.1f s",
                                started - asked, time.perf_counter() - started)
        return result


# --- backups -----------------------------------------------------------------------------------


def _sqlite_path() -> Path:
    return Path(db.engine.url.database)


def _pg_url() -> str:
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def backup(folder: Path, keep: int) -> Path:
    """Write a consistent backup of the running database into folder; keep the newest `keep`."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    if db.engine.dialect.name == "sqlite":
        target = folder / f"coopol-{stamp}.sqlite3.gz"
        plain = folder / f".coopol-{stamp}.sqlite3"
        source = sqlite3.connect(_sqlite_path())
        copy = sqlite3.connect(plain)
        with source, copy:
            source.backup(copy)  # SQLite's online backup: consistent while the site writes
        source.close()
        copy.close()
        with open(plain, "rb") as raw, gzip.open(target, "wb") as packed:
            shutil.copyfileobj(raw, packed)
        plain.unlink()
        pattern = "coopol-*.sqlite3.gz"
    else:
        target = folder / f"coopol-{stamp}.pgdump"
        # The database URL comes from our configuration, not from a member.
        command = ["pg_dump", "--format=custom", f"--file={target}", _pg_url()]
        subprocess.run(command, check=True)  # noqa: S603  # nosec B603
        pattern = "coopol-*.pgdump"
    for old in sorted(folder.glob(pattern))[:-keep]:
        old.unlink()
    return target


def restore(path: Path) -> None:
    """Replace the database's contents with a backup made by `backup`."""
    db.session.remove()
    if db.engine.dialect.name == "sqlite":
        db.engine.dispose()
        plain = path.with_suffix("")
        with gzip.open(path, "rb") as packed, open(plain, "wb") as raw:
            shutil.copyfileobj(packed, raw)
        source = sqlite3.connect(plain)
        live = sqlite3.connect(_sqlite_path())
        with source, live:
            source.backup(live)
        source.close()
        live.close()
        plain.unlink()
    else:
        db.engine.dispose()
        command = ["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={_pg_url()}",
                   str(path)]
        subprocess.run(command, check=True)  # noqa: S603  # nosec B603


@click.command("backup")
@click.option("--to", "folder", default=None, help="Folder (default: instance/backups).")
@click.option("--keep", default=14, show_default=True, help="How many backups to keep.")
def backup_command(folder, keep):
    """Back up the database while the site runs."""
    target = backup(Path(folder or Path(current_app.instance_path) / "backups"), keep)
    click.echo(f"Sauvegarde écrite : {target}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path, yes):
    """Restore the database from a backup (stop the site first)."""
    if not yes:
        click.confirm("Remplacer toutes les données par cette sauvegarde ?", abort=True)
    restore(path)
    click.echo("Base restaurée.")


def warm_up(app) -> None:
    """Do before a gunicorn worker's first request what its first requests would otherwise
    pay for: compile every template, load every language's catalogue, read the migration
    scripts; then keep the garbage collector from walking those objects again."""
    for name in app.jinja_env.list_templates(filter_func=lambda n: n.endswith((".html", ".txt"))):
        app.jinja_env.get_template(name)
    for language in app.config["LANGUAGES"]:
        with app.test_request_context(headers={"Accept-Language": language}):
            get_translations()
    with app.app_context():
        _script_directory()
    gc.collect()
    gc.freeze()


def _log_to_stderr(app) -> None:
    """Write app.logger's lines ("coopol", request lines included) straight to stderr.

    Flask's own handler writes to the request's wsgi.errors, which gunicorn wraps with its
    error log: a detour that cost 7 % of a page's time under load. systemd and gunicorn
    collect stderr all the same.
    """
    if any(getattr(handler, "coopol", False) for handler in app.logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(default_handler.formatter)
    handler.coopol = True
    app.logger.removeHandler(default_handler)
    app.logger.addHandler(handler)


def init_app(app) -> None:
    # app.logger ("coopol") writes to stderr; request lines ("coopol.request") propagate to it.
    _log_to_stderr(app)
    app.logger.setLevel(logging.INFO)
    log.setLevel(logging.INFO)
    proxies = app.config.get("PROXY_COUNT", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.add_url_rule("/healthz", "healthz", healthz)
    app.before_request(_start_timer)
    app.after_request(_log_request)
    for command in (backup_command, restore_command):
        app.cli.add_command(command)
