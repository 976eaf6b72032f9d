from flask import Blueprint

bp = Blueprint("notify", __name__, url_prefix="/notify")

from . import digest, hooks, receivers, views, views_feed  # noqa: E402, F401
