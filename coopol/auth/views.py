"""Sign up, log in and out, confirm an address, reset or change a password or an email."""

from flask import current_app, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..database import utcnow
from ..extensions import db, limiter
from ..htmx import render
from ..profile import service as profile_service
from ..web import safe_next
from . import bp, service
from .forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)


def _locale() -> str:
    return str(get_locale() or "fr")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _email_domain() -> str:
    return (request.form.get("email") or "").rpartition("@")[2].strip().lower() or "-"


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(lambda: current_app.config["REGISTER_DOMAIN_LIMIT"], methods=["POST"],
               key_func=_email_domain, scope="register-domain")
def register():
    """Create an account placed in the member's commune and section, usable once the mailed
    link is clicked; an address that already has an account gets the same answer."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        # Same page, same message, same work whether or not the address has an account:
        # its owner is told by mail, the visitor learns nothing.
        service.register_or_warn(form.email.data, form.password.data, form.display_name.data,
                                 form.chosen_commune, _locale())
        db.session.commit()
        flash(_("Presque fini ! Nous avons envoyé un message à %(email)s : clique sur le lien "
                "qu'il contient pour activer ton compte (regarde aussi dans les indésirables).",
                email=profile_service.normalise_email(form.email.data)), "success")
        return redirect(url_for("auth.login"), 303)
    elif request.method == "GET":
        form.fill_commune_choices()
        form.stamp()
    status = 422 if form.errors else 200
    return render("auth/register.html", form=form, status=status)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Log a member in, optionally remembered on this device."""
    form = LoginForm()
    target = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        member = service.authenticate(form.email.data, form.password.data)
        if member is not None and member.email_confirmed_at is None:
            # Said as for a wrong password, or a sign-up would tell which addresses had an
            # account; the link goes again to the address, where only its owner reads it.
            service.queue_confirmation(member, member.email, _locale())
            db.session.commit()
            member = None
        if member is not None and member.is_blocked:
            # Only said to whoever knows the password: the address alone reveals nothing.
            form.password.errors.append(_("Ce compte est suspendu. Pour en savoir plus, "
                                          "écris aux responsables de ta section."))
            return render("auth/login.html", form=form, status=422)
        if member is not None and member.totp_secret:
            from .two_factor import start

            return start(member, form.remember.data, target)
        if member is not None:
            login_user(member, remember=form.remember.data)
            flash(_("Te voilà connecté·e."), "success")
            return redirect(target or url_for("home.index"), 303)
        form.password.errors.append(_("Adresse e-mail ou mot de passe incorrect, ou compte pas "
                                      "encore activé : dans ce cas, le lien d'activation est "
                                      "dans ta boîte mail."))
    status = 422 if form.errors else 200
    return render("auth/login.html", form=form, status=status)


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out and go home."""
    logout_user()
    flash(_("Tu es déconnecté·e. À bientôt !"), "success")
    return redirect(url_for("home.index"), 303)


@bp.route("/confirm/<token>")
def confirm(token):
    """Confirm the address a link was sent to; a new account's first click logs it in."""
    member, activated = service.confirm_email(token)
    if member is None:
        flash(_("Ce lien de confirmation n'est plus valable. Demande-en un nouveau."), "error")
        return redirect(url_for("home.index"), 303)
    db.session.commit()
    if activated and not current_user.is_authenticated and not member.is_blocked:
        login_user(member)
        flash(_("Bienvenue ! Ton compte est activé : dis-nous en un peu plus sur toi."),
              "success")
        return redirect(url_for("profile.edit"), 303)
    flash(_("Ton adresse e-mail est confirmée."), "success")
    return redirect(url_for("home.index"), 303)


@bp.route("/confirm/resend", methods=["POST"])
@login_required
@limiter.limit("5 per hour")
def resend_confirmation():
    """Send the confirmation link again."""
    if current_user.email_confirmed_at is None:
        service.queue_confirmation(current_user, current_user.email, _locale())
        db.session.commit()
        flash(_("Un nouveau lien vient de partir vers %(email)s.", email=current_user.email),
              "success")
    return redirect(url_for("home.index"), 303)


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    """Mail a reset link; say the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        member = profile_service.get_member_by_email(form.email.data)
        if member is not None:
            service.queue_reset(member, _locale())
            db.session.commit()
        flash(_("Si un compte existe pour cette adresse, un lien pour choisir un nouveau mot "
                "de passe vient d'y être envoyé. Il est valable une heure."), "success")
        return redirect(url_for("auth.login"), 303)
    status = 422 if form.errors else 200
    return render("auth/forgot.html", form=form, status=status)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    """Choose a new password from a mailed link (valid one hour, once)."""
    member = service.member_for_reset(token)
    if member is None:
        flash(_("Ce lien n'est plus valable : il a expiré ou a déjà servi. "
                "Demande-en un nouveau."), "error")
        return redirect(url_for("auth.forgot_password"), 303)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        service.set_password(member, form.password.data)
        if member.email_confirmed_at is None:
            member.email_confirmed_at = utcnow()  # the link proved the address
        db.session.commit()
        login_user(member)
        flash(_("Ton mot de passe est changé."), "success")
        return redirect(url_for("home.index"), 303)
    status = 422 if form.errors else 200
    return render("auth/reset.html", form=form, status=status)


def _account_page(email_form=None, password_form=None, status=200):
    return render("auth/account.html", email_form=email_form or ChangeEmailForm(formdata=None),
                  password_form=password_form or ChangePasswordForm(formdata=None),
                  status=status)


@bp.route("/account")
@login_required
def account():
    """Show the forms to change email and password."""
    return _account_page()


@bp.route("/account/email", methods=["POST"])
@login_required
def change_email():
    """Send a confirmation link to the new address; it takes effect once clicked."""
    form = ChangeEmailForm()
    if form.validate_on_submit():
        if not service.authenticate(current_user.email, form.current.data):
            form.current.errors.append(_("Mot de passe incorrect."))
        elif profile_service.get_member_by_email(form.email.data) is not None:
            form.email.errors.append(_("Cette adresse est déjà utilisée par un compte."))
        else:
            email = profile_service.normalise_email(form.email.data)
            service.queue_confirmation(current_user, email, _locale())
            db.session.commit()
            flash(_("Clique sur le lien envoyé à %(email)s pour valider le changement.",
                    email=email), "success")
            return redirect(url_for("auth.account"), 303)
    return _account_page(email_form=form, status=422)


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    """Change the password; other devices are logged out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not service.authenticate(current_user.email, form.current.data):
            form.current.errors.append(_("Mot de passe incorrect."))
        else:
            member = current_user._get_current_object()
            service.set_password(member, form.password.data)
            db.session.commit()
            login_user(member)  # keep this session, with the new identity
            flash(_("Ton mot de passe est changé. Tes autres appareils sont déconnectés."),
                  "success")
            return redirect(url_for("auth.account"), 303)
    return _account_page(password_form=form, status=422)
