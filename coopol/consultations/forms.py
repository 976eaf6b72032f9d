"""Consultation forms: setup, proposals, moderation, the plain ballot, debates, syntheses."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice as Choice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..forms import CountField, record_id

METHOD_CHOICES = [
    Choice("ranking", _l("Classement : chacun classe ses priorités (points Borda)")),
    Choice("multiple", _l("Choix multiples : chacun choisit jusqu'à N options")),
    Choice("points", _l("Répartition : chacun répartit P points")),
]
ELIGIBILITY_CHOICES = [
    Choice("members", _l("Tous les membres")),
    Choice("adherents", _l("Seulement les adhérent·es confirmé·es")),
]
FORMAT = "%Y-%m-%dT%H:%M"


def _when(label):
    return DateTimeLocalField(label, format=FORMAT,
                              validators=[InputRequired(_l("Indique la date et l'heure."))])


class SetupForm(FlaskForm):
    title = StringField(_l("Titre"), validators=[
        InputRequired(_l("Donne un titre.")),
        Length(max=200, message=_l("200 caractères au plus."))])
    theme = SelectField(_l("Thème"), choices=[], coerce=record_id,
                        validators=[InputRequired(_l("Choisis un thème."))])
    context = TextAreaField(_l("Contexte (Markdown)"), validators=[
        Length(max=20000, message=_l("20 000 caractères au plus."))])
    scope = SelectField(_l("Périmètre"), choices=[], validate_choice=False,
                        validators=[InputRequired(_l("Choisis un périmètre."))])
    eligibility = RadioField(_l("Qui peut participer"), choices=ELIGIBILITY_CHOICES,
                             default="members")
    method = RadioField(_l("Mode de vote"), choices=METHOD_CHOICES, default="ranking")
    max_choices = CountField(_l("N : options à classer ou choisir au plus"), default=5,
                               validators=[NumberRange(1, 30, _l("Entre 1 et 30."))])
    points_total = CountField(_l("P : points à répartir (répartition)"), default=10,
                                validators=[NumberRange(1, 1000, _l("Entre 1 et 1000."))])
    contributions_open_at = _when(_l("Ouverture des propositions"))
    vote_opens_at = _when(_l("Ouverture du vote"))
    vote_closes_at = _when(_l("Clôture du vote"))
    syntheses_due_at = _when(_l("Synthèses attendues pour le"))


class ProposalForm(FlaskForm):
    title = StringField(_l("Ta priorité, en une ligne"), validators=[
        InputRequired(_l("Donne un titre.")),
        Length(max=160, message=_l("160 caractères au plus."))])
    text = TextAreaField(_l("Explique en quelques mots"), validators=[
        Length(max=2000, message=_l("2000 caractères au plus."))])


class RejectForm(FlaskForm):
    reason = StringField(_l("Raison"), validators=[
        InputRequired(_l("Dis pourquoi la proposition n'est pas retenue.")),
        Length(max=500, message=_l("500 caractères au plus."))])


class MergeForm(FlaskForm):
    into = SelectField(_l("Fusionner dans"), choices=[], coerce=record_id, validate_choice=False,
                       validators=[InputRequired(_l("Choisis l'option qui reste."))])


class DebateForm(FlaskForm):
    held_on = DateField(_l("Date de la réunion"),
                        validators=[InputRequired(_l("Indique la date."))])
    attendance = CountField(_l("Nombre de présents"), validators=[
        InputRequired(_l("Indique le nombre de présents.")),
        NumberRange(1, 10000, _l("Entre 1 et 10 000."))])


class SynthesisForm(FlaskForm):
    body = TextAreaField(_l("Synthèse (Markdown)"), validators=[
        Length(max=20000, message=_l("20 000 caractères au plus."))])
    action = SelectField(choices=[Choice("draft"), Choice("submit")], default="draft",
                         validators=[Optional()])


def parse_ballot(consultation, data) -> list[tuple[int, int]]:
    """Read the plain ballot form (one field per option) as (option id, value) pairs.

    Ranking posts `rank-<id>` = rank, multiple posts `choice` = id (repeated), points posts
    `points-<id>` = points. Raises ValueError on anything that is not a whole number.
    """
    if consultation.method == "multiple":
        return [(int(value), 1) for value in data.getlist("choice")]
    prefix = "rank-" if consultation.method == "ranking" else "points-"
    pairs = []
    for key in data:
        if key.startswith(prefix):
            value = data.get(key, "").strip()
            if value:
                pairs.append((int(key[len(prefix):]), int(value)))
    return pairs
