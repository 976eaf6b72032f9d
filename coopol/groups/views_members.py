"""Membership: join, leave, request and cancel; the member list; animateurs' decisions."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..htmx import is_partial, render
from ..pagination import paginate
from ..profile import service as profile_service
from . import bp, service
from .forms import NotifyForm
from .models import GroupMembership
from .views import load_group

ACTIONS = ("approve", "refuse", "promote", "demote", "remove", "ban")


def _membership_answer(slug: str):
    """Swap the membership box in place for htmx; otherwise go back to the group's page."""
    if is_partial():
        group, membership = load_group(slug)
        return render("groups/show.html", "membership", group=group, membership=membership,
                      notify_form=NotifyForm(obj=membership) if membership else None)
    return redirect(url_for("groups.show", slug=slug), 303)


@bp.route("/<slug>/join", methods=["POST"])
@login_required
def join(slug):
    """Join an open group at once, or ask to join a closed one."""
    group, _membership = load_group(slug)
    membership = service.join(current_user, group)
    db.session.commit()
    flash(_("Bienvenue dans le groupe !") if membership.is_active
          else _("Demande envoyée : l'animation du groupe va te répondre."), "success")
    return _membership_answer(slug)


@bp.route("/<slug>/leave", methods=["POST"])
@login_required
def leave(slug):
    """Leave a group, or cancel my request to join it."""
    group, membership = load_group(slug)
    pending = membership is not None and membership.status == "pending"
    service.leave(current_user, group)
    db.session.commit()
    flash(_("Demande annulée.") if pending else _("Tu as quitté le groupe."), "success")
    return _membership_answer(slug)


@bp.route("/<slug>/notifications", methods=["POST"])
@login_required
def notifications(slug):
    """Choose when this group may send me mail."""
    group, membership = load_group(slug)
    if membership is None or not membership.is_active:
        abort(403)
    form = NotifyForm()
    if not form.validate_on_submit():
        flash(_("Choisis quand recevoir des e-mails."), "error")
        return render("groups/show.html", "membership", status=422, group=group,
                      membership=membership, notify_form=form)
    service.set_notify(membership, form.notify.data)
    db.session.commit()
    flash(_("C'est noté."), "success")
    return _membership_answer(slug)


@bp.route("/<slug>/members")
@login_required
def members(slug):
    """List a group's members, animateurs first, searchable by name."""
    group, membership = load_group(slug)
    animates = service.can_animate(current_user, group, membership)
    q = request.args.get("q", "").strip()[:80]
    pagination = paginate(service.members_query(group, current_user, q, sees_all=animates))
    visible = {m.member_id for m in pagination.items
               if animates or profile_service.can_see_profile(current_user, m.member)}
    linkable = {m.member_id for m in pagination.items
                if profile_service.can_see_profile(current_user, m.member)}
    return render("groups/members.html", "member_list", group=group, pagination=pagination,
                  q=q, animates=animates, visible=visible, linkable=linkable,
                  writable=not group.is_archived)


@bp.route("/<slug>/requests")
@login_required
def requests(slug):
    """List the requests to join for the animateurs to answer; ?banned=1 lists the banned."""
    group, _membership = load_group(slug, animate=True)
    banned = request.args.get("banned") == "1"
    query = service.requests_query(group, "banned" if banned else "pending")
    return render("groups/requests.html", group=group, banned=banned, pagination=paginate(query))


@bp.route("/<slug>/members/<int:member_id>/<action>", methods=["POST"])
@login_required
def manage(slug, member_id, action):
    """Approve, refuse, promote, remove or ban one member, as animateur."""
    if action not in ACTIONS:
        abort(404)
    group, _membership = load_group(slug, animate=True)
    target = db.session.scalar(db.select(GroupMembership).where(
        GroupMembership.group_id == group.id, GroupMembership.member_id == member_id)) \
        or abort(404)
    name, status = target.member.display_name, target.status
    service.manage(current_user, group, target, action)
    db.session.commit()
    messages = {
        "approve": _("%(name)s a rejoint le groupe.", name=name),
        "refuse": _("Demande de %(name)s refusée.", name=name),
        "promote": _("%(name)s anime maintenant le groupe.", name=name),
        "demote": _("%(name)s n'anime plus le groupe.", name=name),
        "remove": _("L'exclusion de %(name)s est levée.", name=name) if status == "banned"
        else _("%(name)s a été retiré·e du groupe.", name=name),
        "ban": _("%(name)s est exclu·e du groupe.", name=name),
    }
    flash(messages[action], "success")
    if status == "active":
        return redirect(url_for("groups.members", slug=slug), 303)
    return redirect(url_for("groups.requests", slug=slug,
                            banned=1 if status == "banned" else None), 303)
