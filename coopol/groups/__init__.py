from flask import Blueprint

bp = Blueprint("groups", __name__, url_prefix="/groups")

from . import hooks, notifications, views, views_members, views_posts, views_proposals  # noqa: E402, F401
