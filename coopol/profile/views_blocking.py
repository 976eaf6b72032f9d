"""Moderation: block an account and hide everything it wrote, unblock it, list the blocked."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import true

from ..extensions import db
from ..htmx import is_partial, render
from ..pagination import paginate
from . import blocking, bp, service
from .forms import BlockForm
from .views import get_member_or_404


def get_blockable_or_403(member_id: int):
    member = get_member_or_404(member_id)
    if not blocking.can_block(current_user, member):
        abort(403)
    return member


@bp.route("/<int:member_id>/block", methods=["GET", "POST"])
@login_required
def block(member_id):
    """Block an account after the moderator gives a reason and confirms."""
    member = get_blockable_or_403(member_id)
    if member.is_blocked:
        flash(_("Ce compte est déjà bloqué."), "info")
        return redirect(url_for("profile.show", member_id=member.id), 303)
    form = BlockForm()
    if form.validate_on_submit():
        blocking.block(current_user, member, form.reason.data)
        db.session.commit()
        flash(_("Le compte de %(name)s est bloqué : ses contenus sont masqués.",
                name=member.display_name), "success")
        return redirect(url_for("profile.show", member_id=member.id), 303)
    status = 422 if form.errors else 200
    return render("profile/block.html", member=member, form=form, status=status)


@bp.route("/<int:member_id>/unblock", methods=["POST"])
@login_required
def unblock(member_id):
    """Lift a block: the member may log in again and what the block hid shows again."""
    member = get_blockable_or_403(member_id)
    if blocking.unblock(current_user, member):
        db.session.commit()
        flash(_("Le compte de %(name)s est débloqué : ses contenus sont de nouveau visibles.",
                name=member.display_name), "success")
    else:
        flash(_("Ce compte n'est pas bloqué."), "info")
    if is_partial():
        return blocked()
    if request.form.get("from") == "list":
        return redirect(url_for("profile.blocked", page=request.args.get("page")), 303)
    return redirect(url_for("profile.show", member_id=member.id), 303)


@bp.route("/blocked")
@login_required
def blocked():
    """List the blocked accounts within my scope as secretary (every one for admins)."""
    scope = true() if service.is_admin(current_user) else service.secretary_scope(current_user)
    if scope is None:
        abort(403)
    pagination = paginate(blocking.blocked_query(scope))
    return render("profile/blocked.html", "blocked", pagination=pagination,
                  can_block=blocking.can_block)
