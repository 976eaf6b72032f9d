"""Account forms: sign up, log in, password reset, change of email or password."""

import time

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError

from ..geo.forms import PlaceForm

EMAIL = [
    InputRequired(_l("Indique ton adresse e-mail.")),
    Length(max=254, message=_l("Cette adresse est trop longue.")),
    Email(message=_l("Cette adresse e-mail n'est pas valide."), check_deliverability=False),
]
NEW_PASSWORD = [
    InputRequired(_l("Choisis un mot de passe.")),
    Length(min=10, max=200, message=_l("Le mot de passe doit faire au moins 10 caractères.")),
]


def email_field(label=None):
    return EmailField(label or _l("Adresse e-mail"), validators=EMAIL,
                      render_kw={"autocomplete": "email"})


class HumanCheckMixin:
    """Catch the simplest bots: a field no person sees, and a form filled in too fast.

    `started` carries the time the form was shown, signed so that it cannot be forged.
    """

    website = StringField(_l("Ne remplis pas ce champ"), render_kw={
        "autocomplete": "off", "tabindex": "-1"})
    started = HiddenField()

    def stamp(self) -> None:
        self.started.data = _stamp_serializer().dumps(time.time())

    def validate_website(self, field):
        if field.data:
            raise ValidationError(_l("Ce formulaire n'a pas pu être envoyé. Réessaie."))

    def validate_started(self, field):
        minimum = current_app.config["FORM_MIN_SECONDS"]
        if minimum <= 0:
            return  # timing check off (tests of other behaviour)
        try:
            shown = _stamp_serializer().loads(field.data or "", max_age=24 * 3600)
        except BadSignature:
            shown = None
        if not isinstance(shown, float) or time.time() - shown < minimum:
            self.stamp()
            raise ValidationError(_l("Ce formulaire a été envoyé trop vite ou a expiré : "
                                     "vérifie-le et envoie-le à nouveau."))


def _stamp_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="form-started")


class RegisterForm(HumanCheckMixin, PlaceForm):
    email = email_field()
    password = PasswordField(_l("Mot de passe (10 caractères au moins)"), validators=NEW_PASSWORD,
                             render_kw={"autocomplete": "new-password"})
    display_name = StringField(
        _l("Nom affiché"),
        validators=[InputRequired(_l("Indique le nom que les autres verront.")),
                    Length(max=80, message=_l("80 caractères au plus."))],
        render_kw={"autocomplete": "name"},
    )


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(_l("Mot de passe"),
                             validators=[InputRequired(_l("Indique ton mot de passe."))],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Rester connecté·e sur cet appareil"))


class ForgotPasswordForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("Nouveau mot de passe"), validators=NEW_PASSWORD,
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("Encore une fois"),
        validators=[EqualTo("password", _l("Les deux mots de passe ne sont pas identiques."))],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(ResetPasswordForm):
    current = PasswordField(_l("Mot de passe actuel"),
                            validators=[InputRequired(_l("Indique ton mot de passe actuel."))],
                            render_kw={"autocomplete": "current-password"})


class CodeForm(FlaskForm):
    code = StringField(_l("Code à 6 chiffres de ton application"),
                       validators=[InputRequired(_l("Indique le code.")), Length(max=10)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class DisableTwoFactorForm(CodeForm):
    password = PasswordField(_l("Mot de passe"),
                             validators=[InputRequired(_l("Indique ton mot de passe."))],
                             render_kw={"autocomplete": "current-password"})


class ChangeEmailForm(FlaskForm):
    email = email_field(_l("Nouvelle adresse e-mail"))
    current = PasswordField(_l("Mot de passe actuel"),
                            validators=[InputRequired(_l("Indique ton mot de passe actuel."))],
                            render_kw={"autocomplete": "current-password"})
