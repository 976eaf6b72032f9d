from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")

from . import cli, hooks, views, views_calendar, views_organiser, views_rsvp  # noqa: E402, F401
