"""Mobilise: compose, preview the recipient count, send, follow the progress; unsubscribe."""

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import csrf, db
from ..htmx import hx_redirect, render
from ..pagination import paginate
from ..profile import service as profile_service
from . import bp, mobilise, service
from .forms import ComposeForm
from .models import Mobilisation
from .service import Refusal
from .views import organiser_scope, read_filter


@bp.route("/mobilise", methods=["GET", "POST"])
@login_required
def compose():
    """Write a message to the members a filter finds; preview the count, then send."""
    scope = organiser_scope()
    flt, errors = read_filter(scope)
    if errors:
        raise Refusal(" ".join(errors.values()), 422)
    form = ComposeForm()
    total = service.count(scope, flt)
    preview, problem, status = False, "", 200
    if form.step.data == "edit" and request.method == "POST":
        pass  # back from the preview to the message, as it was written
    elif form.validate_on_submit():
        kind, target_id = form.target_kind.data, int(form.target_id.data or 0) or None
        try:
            target = mobilise.find_target(scope, kind, target_id)
            if form.step.data == "send":
                if total == 0:
                    raise Refusal(_("Personne ne correspond à ce filtre : rien à envoyer."), 422)
                sent = mobilise.send(current_user, scope, flt, form.subject.data,
                                     form.body.data, kind, target_id)
                db.session.commit()
                flash(_("Message mis en file pour %(n)s personnes.", n=sent.recipient_count),
                      "success")
                return hx_redirect(url_for("organize.progress", mobilisation_id=sent.id))
            mobilise.check_rate(current_user)
        except Refusal as refusal:
            if refusal.status == 403:
                raise
            db.session.rollback()
            status = refusal.status
            if refusal.field == "target_id":
                form.target_id.errors = [*form.target_id.errors, refusal.message]
            else:
                problem = refusal.message
        else:
            preview = True
            form.step.data = "send"
            target_label = mobilise.target_link(kind, target)[0] if target else ""
    if form.errors:
        status = 422
    return render("organize/compose.html", "compose", status=status, form=form, flt=flt,
                  args=flt.args(), total=total, preview=preview, problem=problem,
                  target_label=target_label if preview else "")


@bp.route("/mobilisations")
@login_required
def mobilisations():
    """List the mobilisations I sent."""
    organiser_scope()
    pagination = paginate(mobilise.mine_query(current_user))
    return render("organize/mobilisations.html", pagination=pagination)


@bp.route("/mobilisations/<int:mobilisation_id>")
@login_required
def progress(mobilisation_id):
    """Show how many of a mobilisation's mails are waiting, sent or failed."""
    mobilisation = db.session.get(Mobilisation, mobilisation_id) or abort(404)
    if mobilisation.sender_id != current_user.id and not profile_service.is_admin(current_user):
        abort(403)
    counts = mobilise.progress(mobilisation)
    return render("organize/progress.html", "progress", mobilisation=mobilisation,
                  counts=counts, done=counts["pending"] == 0)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token):
    """Withdraw the mobilisation consent in one click from a mail's link (RFC 8058 too).

    The signed token is the authentication: a mail client's one-click POST carries no
    session and no CSRF token, and the page's button posts the same way.
    """
    member = mobilise.member_for_token(token)
    if member is None:
        return render("organize/unsubscribe.html", status=400, valid=False, done=False,
                      token=token)
    if request.method == "POST":
        if mobilise.unsubscribe(member):
            db.session.commit()
        return render("organize/unsubscribe.html", valid=True, done=True, token=token)
    done = member.mobilisation_consent_at is None
    return render("organize/unsubscribe.html", valid=True, done=done, token=token)
