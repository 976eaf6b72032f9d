from flask import Blueprint

bp = Blueprint("dashboards", __name__, url_prefix="/dashboards")

from . import views  # noqa: E402, F401
