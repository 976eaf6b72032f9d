from flask import Blueprint

bp = Blueprint("organize", __name__, url_prefix="/organize")

from . import hooks, views, views_admin, views_mobilise  # noqa: E402, F401
