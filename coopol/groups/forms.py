"""Group forms: settings, membership decisions, notifications, posts, reports, proposals."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice as Choice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..forms import record_id
from ..profile.forms import CheckboxesField


def _required(message):
    # DataRequired looks at the stripped value: a message of spaces is an empty message.
    return DataRequired(message)


def _max(n: int):
    return Length(max=n, message=_l("%(n)s caractères au plus.", n=n))


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


def _valid_choices(field):
    allowed = {choice.value for choice in field.choices}
    if any(value not in allowed for value in field.data or []):
        raise ValidationError(_l("Un des thèmes choisis n'existe pas."))


class GroupForm(FlaskForm):
    name = StringField(_l("Nom du groupe"), filters=[_stripped],
                       validators=[_required(_l("Donne un nom au groupe.")),
                                   Length(min=3, max=120,
                                          message=_l("Entre 3 et 120 caractères."))])
    description = TextAreaField(_l("Présentation"), filters=[_stripped],
                                description=_l("Markdown simple : **gras**, listes, liens."),
                                validators=[_required(_l("Présente le groupe en quelques mots.")),
                                            _max(5000)])
    themes = CheckboxesField(_l("Thèmes"), coerce=record_id, choices=[], validate_choice=False)
    is_open = RadioField(_l("Qui peut entrer"), default="open", choices=[
        Choice("open", _l("Ouvert : on rejoint en un clic")),
        Choice("closed", _l("Fermé : l'animation accepte chaque demande")),
    ], validators=[_required(_l("Choisis si le groupe est ouvert ou fermé."))])

    def validate_themes(self, field):
        _valid_choices(field)


class NewGroupForm(GroupForm):
    scope = RadioField(_l("Portée"), default="national", choices=[
        Choice("national", _l("National")),
        Choice("section", _l("Local : ma section")),
    ], validators=[_required(_l("Choisis la portée du groupe."))])


class NotifyForm(FlaskForm):
    notify = RadioField(_l("Recevoir un e-mail"), choices=[
        Choice("threads", _l("À chaque nouvelle discussion")),
        Choice("digest", _l("Un résumé par semaine")),
        Choice("none", _l("Jamais")),
    ], validators=[_required(_l("Choisis quand recevoir des e-mails."))])


BODY = [_required(_l("Écris ton message.")), _max(10000)]
TITLE = [_required(_l("Donne un titre.")), _max(200)]


class ThreadForm(FlaskForm):
    title = StringField(_l("Titre"), filters=[_stripped], validators=TITLE)
    body = TextAreaField(_l("Message"), filters=[_stripped], validators=BODY,
                         description=_l("Markdown simple : **gras**, listes, liens."))


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Ta réponse"), filters=[_stripped], validators=BODY)
    # The last reply the page shows: the answer brings everything after it.
    after = HiddenField()


class EditPostForm(FlaskForm):
    title = StringField(_l("Titre"), filters=[_stripped], validators=[Optional(), _max(200)])
    body = TextAreaField(_l("Message"), filters=[_stripped], validators=BODY)


class HideForm(FlaskForm):
    reason = StringField(_l("Raison, affichée à la place du message"), filters=[_stripped],
                         validators=[_required(_l("Indique pourquoi tu masques ce message.")),
                                     _max(300)])


class ReportForm(FlaskForm):
    reason = StringField(_l("Ce qui pose problème (facultatif)"), filters=[_stripped],
                         validators=[_max(300)])


class ProposalForm(FlaskForm):
    title = StringField(_l("Titre de la proposition"), filters=[_stripped], validators=TITLE)
    body = TextAreaField(_l("La proposition"), filters=[_stripped], validators=BODY,
                         description=_l("Markdown simple : **gras**, listes, liens."))
    theme = SelectField(_l("Thème qu'elle sert"), choices=[], coerce=str, validate_choice=False)

    def validate_theme(self, field):
        if field.data and field.data not in {c.value for c in field.choices}:
            raise ValidationError(_l("Choisis un des thèmes du groupe."))


class SubmitProposalForm(FlaskForm):
    """An animateur picks the consultation a proposal goes to."""

    consultation = SelectField(_l("Consultation"), choices=[], validate_choice=False,
                               validators=[_required(_l("Choisis une consultation."))])

    def validate_consultation(self, field):
        if not (field.data or "").isdigit() or len(field.data) > 9:
            raise ValidationError(_l("Choisis une consultation."))
