"""National admin forms: themes, sections, roles."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice as Choice
from wtforms.validators import InputRequired, Length

from ..auth.forms import email_field

NAME = [InputRequired(_l("Indique un nom.")), Length(max=80, message=_l("80 caractères au plus."))]


class ThemeForm(FlaskForm):
    name = StringField(_l("Nom du thème"), validators=NAME)


class SectionForm(FlaskForm):
    name = StringField(_l("Nom de la section"), validators=NAME)
    federation = SelectField(_l("Fédération"), choices=[],
                             validators=[InputRequired(_l("Choisis la fédération."))])
    communes = TextAreaField(
        _l("Communes : codes postaux ou codes INSEE"),
        validators=[InputRequired(_l("Indique au moins une commune.")),
                    Length(max=20000, message=_l("Liste trop longue."))],
        description=_l("Séparés par des espaces ou des virgules, par exemple : 38000 38100. "
                       "Un code à la fois postal et INSEE s'écrit cp:38130 ou insee:38130."),
    )


ROLE_CHOICES = [
    Choice("secretary", _l("Secrétaire")),
    Choice("organiser", _l("Organisateur·ice")),
    Choice("admin", _l("Administrateur·ice")),
]


class RoleForm(FlaskForm):
    email = email_field(_l("Adresse e-mail du membre"))
    role = SelectField(_l("Rôle"), choices=ROLE_CHOICES)
    # Checked against existing fédérations and sections in the view, so that a section's
    # page can post its own scope without listing every section here.
    scope = SelectField(_l("Périmètre"), choices=[], validate_choice=False,
                        validators=[InputRequired(_l("Choisis un périmètre."))])
