from flask import Blueprint

# cli_group gives `flask consultations close` and `flask consultations compute`.
bp = Blueprint("consultations", __name__, url_prefix="/consultations", cli_group="consultations")

from . import cli, hooks, models, views, views_contrib, views_results, views_rollup, views_vote  # noqa: E402, F401
