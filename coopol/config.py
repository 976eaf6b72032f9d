"""Configuration: defaults, then instance/config.py, then COOPOL_* environment variables."""

import os
import secrets
from pathlib import Path

DEFAULTS = {
    "SQLALCHEMY_DATABASE_URI": None,  # None: instance/coopol.sqlite3
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SITE_NAME": "Coopol",
    "BASE_URL": "http://127.0.0.1:5000",  # where links in mails point
    "LANGUAGES": ["fr", "en"],
    "BABEL_DEFAULT_LOCALE": "fr",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
    # Mail: "file" writes .eml files into instance/mail, "console" prints them,
    # "smtp" sends through MAIL_SERVER, "memory" keeps them in a list (tests).
    "MAIL_BACKEND": "file",
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": "",
    "MAIL_DEFAULT_SENDER": "Coopol <ne-pas-repondre@coopol.localhost>",
    "MAIL_MAX_ATTEMPTS": 5,
    "MAIL_RATE_PER_MINUTE": 0,  # the worker's sending rate; 0: as fast as the server takes them
    "ORGANIZE_MOBILISATIONS_PER_DAY": 5,  # per organiser, over any 24 hours; 0: no limit
    "RATELIMIT_STORAGE_URI": "memory://",  # redis://host:6379/0 when several servers share limits
    "RATELIMIT_KEY_PREFIX": "coopol",  # one Redis may serve several sites: one prefix each
    # Redis unreachable: each process counts alone for a while instead of failing the request.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": False,
    "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
    # Sign-ups from one mail domain (large providers included): stops scripted waves.
    "REGISTER_DOMAIN_LIMIT": "30 per hour",
    "FORM_MIN_SECONDS": 3,  # a person takes longer than this to fill in the sign-up form
    "RESET_LINK_MAX_AGE": 3600,  # seconds: one hour
    "CONFIRM_LINK_MAX_AGE": 7 * 24 * 3600,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # set to true behind HTTPS
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": False,
    "WTF_CSRF_TIME_LIMIT": None,  # tied to the session, so a long-open form still posts
    # .js is served as text/javascript (Python 3.12+ and current mimetypes), hence both names.
    "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/calendar", "text/csv", "text/javascript",
                           "application/javascript", "application/json", "image/svg+xml"],
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    # Static files are streamed; compress them too, gzip included for older clients.
    "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],
    "SEND_FILE_MAX_AGE_DEFAULT": 365 * 24 * 3600,  # static URLs carry a version
    "PAGE_SIZE": 20,
    # How long a fédération's or the nation's dashboard figures are kept (0: always computed).
    "DASHBOARD_CACHE_SECONDS": 600,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,  # no form needs more; larger uploads get a 413
    "PROXY_COUNT": 0,  # proxies in front (Caddy, nginx): trust that many X-Forwarded-* hops
}


def _coerce(value: str, default):
    """Read an environment string as the type of the default it overrides."""
    if isinstance(default, bool):
        return value.strip().lower() in {"1", "true", "yes", "on", "oui"}
    if isinstance(default, int):
        return int(value)
    if isinstance(default, list):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def normalise_database_url(url: str) -> str:
    """Point postgres URLs at psycopg 3, the driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def secret_key(instance_path: str) -> str:
    """Read the instance's secret key, generating it on first run."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def load(app, test_config=None) -> None:
    """Fill app.config from defaults, instance/config.py, the environment, then test_config."""
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        for key, default in DEFAULTS.items():
            env = os.environ.get("COOPOL_" + key)
            if env is not None and not isinstance(default, dict):
                app.config[key] = _coerce(env, default)
        url = os.environ.get("COOPOL_DATABASE_URL") or os.environ.get("DATABASE_URL")
        if url:
            app.config["SQLALCHEMY_DATABASE_URI"] = url
        # Secrets have no default: they come from the deployment only.
        for key in ("SECRET_KEY", "MAIL_PASSWORD", "SERVER_NAME", "PREFERRED_URL_SCHEME"):
            if os.environ.get("COOPOL_" + key):
                app.config[key] = os.environ["COOPOL_" + key]
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        path = Path(app.instance_path) / "coopol.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(app.instance_path)
