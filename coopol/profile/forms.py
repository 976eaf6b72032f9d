"""Profile forms: who I am, where I live, what I care about, who may see it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice as Choice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import record_id
from ..geo.forms import PlaceForm


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


STATUS_CHOICES = [
    Choice("sympathisant", _l("Sympathisant·e")),
    Choice("adherent", _l("Adhérent·e (confirmé par ta section)")),
]
VISIBILITY_CHOICES = [
    Choice("section", _l("Les membres de ma section")),
    Choice("members", _l("Tous les membres")),
    Choice("organisers", _l("Seulement les responsables (secrétaires, organisateurs)")),
]


class ProfileForm(PlaceForm):
    display_name = StringField(
        _l("Nom affiché"),
        validators=[InputRequired(_l("Indique le nom que les autres verront.")),
                    Length(max=80, message=_l("80 caractères au plus."))],
    )
    section = SelectField(_l("Section"), choices=[], coerce=str, validate_choice=False)
    status = RadioField(_l("Statut"), choices=STATUS_CHOICES,
                        validators=[InputRequired(_l("Choisis ton statut."))])
    interests = CheckboxesField(_l("Thèmes qui m'intéressent"), coerce=record_id, choices=[],
                                validate_choice=False)
    skills = StringField(
        _l("Compétences (séparées par des virgules)"),
        validators=[Length(max=500, message=_l("500 caractères au plus."))],
        description=_l("Par exemple : graphisme, droit du travail, arabe, conduite de réunion."),
    )
    bio = TextAreaField(_l("Quelques mots sur toi"),
                        validators=[Length(max=2000, message=_l("2000 caractères au plus."))])
    visibility = RadioField(_l("Qui peut voir mon profil et mes centres d'intérêt"),
                            choices=VISIBILITY_CHOICES,
                            validators=[InputRequired(_l("Choisis qui peut voir ton profil."))])

    def validate_interests(self, field):
        allowed = {choice.value for choice in field.choices}
        if any(value not in allowed for value in field.data or []):
            raise ValidationError(_l("Un des thèmes choisis n'existe pas."))

    def validate_section(self, field):
        allowed = {choice.value for choice in field.choices}
        if field.data and field.data not in allowed:
            raise ValidationError(_l("Cette section n'est pas dans ta fédération."))


class ConsentForm(FlaskForm):
    """Give or withdraw the mobilisation consent (a separate, explicit act)."""

    decision = RadioField(choices=[Choice("give"), Choice("withdraw")],
                          validators=[InputRequired()])


class EraseForm(FlaskForm):
    """Confirm the erasure of one's account with one's password."""

    password = PasswordField(_l("Mon mot de passe, pour confirmer"),
                             validators=[InputRequired(_l("Indique ton mot de passe."))],
                             render_kw={"autocomplete": "current-password"})


class BlockForm(FlaskForm):
    """Block an account: the reason is required, and the moderator confirms what it does."""

    reason = TextAreaField(
        _l("Raison (gardée dans le journal, montrée aux responsables)"),
        validators=[DataRequired(_l("Indique pourquoi tu bloques ce compte.")),
                    Length(max=300, message=_l("300 caractères au plus."))],
    )
    confirm = BooleanField(
        _l("Je confirme : ce compte ne pourra plus se connecter et ce qu'il a écrit sera masqué."),
        validators=[DataRequired(_l("Coche la case pour confirmer le blocage."))],
    )
