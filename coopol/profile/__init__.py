from flask import Blueprint

bp = Blueprint("profile", __name__, url_prefix="/profile")

from . import views, views_blocking, views_privacy  # noqa: E402, F401
