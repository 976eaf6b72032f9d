"""The shipped deployment files agree with the code: systemd units, nginx configs, the lock."""

import configparser
import fcntl
import os
import re
import shlex
import shutil
import socket
import subprocess  # noqa: S404  # nosec B404 - runs nginx -t on our own files
import sys
import time
import urllib.request
from pathlib import Path

import click
import pytest
from sqlalchemy import text

from coopol import ROOT, create_app, ops
from coopol.extensions import db, limiter

DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
TIMERS = sorted((DEPLOY / "systemd").glob("*.timer"))
CHECKOUT = "/srv/coopol"


def _periodic_commands() -> set[tuple[str, ...]]:
    """The README's commands marked "(cron)", as the words a timer's service must run."""
    found = set()
    for line in (ROOT / "README.md").read_text().splitlines():
        command = re.match(r"\| `flask --app wsgi ([^`]+)` \|[^|]*\(cron\)", line)
        if command:
            found.add(tuple(w for w in command.group(1).split() if not w.startswith("-")))
    return found


# The periodic commands of the README's table, each of which must have a timer; backups are
# in the guide rather than the table.
PERIODIC = _periodic_commands() | {("backup",)}


def read_unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return parser


def commands(unit) -> list[list[str]]:
    service = unit["Service"]
    return [shlex.split(service[key]) for key in ("ExecStartPre", "ExecStart") if key in service]


def flask_command(app, words: list[str]) -> click.Command | None:
    """Resolve `flask a b --opt` to the click command it names, as the CLI would."""
    group, ctx = app.cli, click.Context(app.cli)
    command = None
    for word in words:
        if word.startswith("-"):
            break
        command = group.get_command(ctx, word)
        if not isinstance(command, click.Group):
            break
        group = command
    return command


def test_there_are_units_and_timers():
    names = {path.name for path in UNITS}
    assert {"coopol.service", "coopol-outbox.service"} <= names
    assert len(TIMERS) >= len(PERIODIC)


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_unit_commands_exist(app, path):
    unit = read_unit(path)
    service = unit["Service"]
    assert service["User"] == "coopol" and service["WorkingDirectory"] == CHECKOUT
    assert "FLASK_APP=wsgi" in service["Environment"]
    assert f"{CHECKOUT}/instance" in service["ReadWritePaths"]
    for argv in commands(unit):
        program = Path(argv[0])
        assert program.parent == Path(CHECKOUT, ".venv/bin"), argv
        if program.name == "flask":
            command = flask_command(app, argv[1:])
            assert command is not None and not isinstance(command, click.Group), argv
            # Every option given is one the command accepts.
            known = {opt for param in command.params for opt in param.opts}
            for word in argv[2:]:
                if word.startswith("--"):
                    assert word.split("=")[0] in known, (argv, word)
        else:
            assert program.name == "gunicorn", argv
            config = argv[argv.index("-c") + 1]
            assert (ROOT / config).is_file()
            assert argv[-1] == "wsgi:app" and (ROOT / "wsgi.py").is_file()


def test_the_readme_names_the_periodic_commands():
    assert {("consultations", "close"), ("consultations", "announce"), ("events", "remind"),
            ("groups", "digest"), ("notify", "digest", "daily"), ("notify", "digest", "weekly"),
            ("purge",)} <= PERIODIC


def test_every_periodic_command_has_a_timer(app):
    timed = set()
    for path in TIMERS:
        service = path.with_suffix(".service")
        assert service.is_file(), f"{path.name} starts {service.name}, which is missing"
        timer = read_unit(path)["Timer"]
        assert timer["OnCalendar"] and timer["Persistent"] == "true"
        assert read_unit(service)["Service"]["Type"] == "oneshot"
        for argv in commands(read_unit(service)):
            timed.add(tuple(w for w in argv[1:] if not w.startswith("-") and not w.isdigit()))
    assert timed >= PERIODIC
    # Each service that is not a timer's is a long-running one that restarts on failure.
    for path in UNITS:
        if not path.with_suffix(".timer").exists():
            assert read_unit(path)["Service"]["Restart"] in {"on-failure", "always"}


def test_backup_timer_rotates():
    argv = commands(read_unit(DEPLOY / "systemd" / "coopol-backup.service"))[0]
    assert argv[1] == "backup" and int(argv[argv.index("--keep") + 1]) >= 7


def test_the_outbox_worker_loops():
    argv = commands(read_unit(DEPLOY / "systemd" / "coopol-outbox.service"))[0]
    assert argv[1:4] == ["outbox", "work", "--loop"]


def test_web_unit_migrates_before_serving():
    argv = commands(read_unit(DEPLOY / "systemd" / "coopol.service"))
    assert argv[0][1:] == ["init"] and argv[1][0].endswith("gunicorn")


def nginx_check(tmp_path, site: str) -> subprocess.CompletedProcess:
    """Run `nginx -t` on a site file inside a minimal main configuration of our own."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    main = tmp_path / "nginx.conf"
    main.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
                    "events {}\nhttp {\n  include /etc/nginx/mime.types;\n"
                    f"  access_log off;\n  client_body_temp_path {tmp_path}/body;\n"
                    f"  proxy_temp_path {tmp_path}/proxy;\n  include {site};\n}}\n")
    return subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(main)],  # noqa: S603  # nosec B603
                          capture_output=True, text=True, check=False)


def test_site_config_passes_nginx_check(tmp_path):
    result = nginx_check(tmp_path, str(DEPLOY / "nginx" / "coopol.conf"))
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_scale_out_config_passes_nginx_check(tmp_path):
    template = (DEPLOY / "nginx" / "scale-out.conf.in").read_text()
    rendered = (template.replace("@WORK@", str(tmp_path)).replace("@ROOT@", str(ROOT))
                .replace("@PORT@", "18999").replace(
                    "@UPSTREAMS@", "server 127.0.0.1:18998;\nserver 127.0.0.1:18997;"))
    assert not re.search(r"@[A-Z]+@", rendered)
    path = tmp_path / "scale-out.conf"
    path.write_text(rendered)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(path)],  # noqa: S603  # nosec B603
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", ["coopol.conf", "scale-out.conf.in"])
def test_nginx_serves_static_with_long_cache_and_retries_safely(name):
    conf = (DEPLOY / "nginx" / name).read_text()
    static = re.search(r"location /static/ \{(.*?)\}", conf, re.S).group(1)
    assert re.search(r"alias \S+/static/;", static)
    assert "max-age=31536000, immutable" in conf and "$coopol_static_cache" in static
    assert "proxy_next_upstream error timeout" in conf
    # A POST that reached a server is never sent to another one.
    assert "non_idempotent" not in conf
    assert "X-Forwarded-Proto" in conf and "X-Forwarded-For" in conf


def test_gunicorn_trusts_only_the_local_proxy():
    settings: dict = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"),  # noqa: S102  # nosec B102
         settings)
    assert settings["bind"].startswith("127.0.0.1:")
    assert settings["forwarded_allow_ips"] == "127.0.0.1"
    assert settings["timeout"] < 35  # nginx waits 35 s (proxy_read_timeout)


def test_init_loads_reference_data_under_the_migration_lock(app):
    """What `then` does (the geography, the themes) runs while the lock is held."""
    held = []

    def probe():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as other:
                held.append(not other.execute(text("SELECT pg_try_advisory_lock(726374)"))
                            .scalar())
        else:
            with open(Path(app.instance_path) / "migrate.lock", "w") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    held.append(True)
                else:
                    fcntl.flock(handle, fcntl.LOCK_UN)
                    held.append(False)
        return "done"

    with app.app_context():
        assert ops.migrate_once(probe) == "done"
    assert held == [True]


def test_login_still_answers_when_redis_is_down(app):
    """Limits in an unreachable Redis fall back to per-process counting, never a 500."""
    config = {key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY",
                                                "WTF_CSRF_ENABLED", "MAIL_BACKEND")}
    down = create_app({**config, "TESTING": True,
                       "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"})
    try:
        response = down.test_client().post("/auth/login", data={
            "email": "personne@exemple.fr", "password": "pas-le-bon"})
    finally:
        limiter.init_app(app)  # the limiter is shared: give the suite's app its storage back
    assert response.status_code == 422


def test_gunicorn_workers_warm_up_and_are_replaced(app, tmp_path):
    """Each worker loads and warms the app up (deploy/gunicorn.conf.py: post_worker_init)
    before serving; those that replace a worker after max_requests (set to 5 here, so that
    workers are replaced during the test) serve as well."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "COOPOL_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "COOPOL_SECRET_KEY": "gunicorn-test", "COOPOL_WORKERS": "2",
           "COOPOL_BIND": f"127.0.0.1:{port}",
           "GUNICORN_CMD_ARGS": "--max-requests 5 --max-requests-jitter 0"}
    log = tmp_path / "gunicorn.log"
    with open(log, "w") as handle:
        server = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5)  # noqa: S310 - local
                break
            except OSError:
                time.sleep(0.1)
        statuses = [urllib.request.urlopen(base + path, timeout=10).status  # noqa: S310
                    for _ in range(12) for path in ("/events/", "/healthz", "/auth/login")]
    finally:
        server.terminate()
        server.wait(timeout=30)
    text_log = log.read_text()
    assert statuses == [200] * 36, text_log
    assert text_log.count("Booting worker") >= 4, text_log  # replaced workers served too
    assert "Traceback" not in text_log and "Error" not in text_log, text_log
