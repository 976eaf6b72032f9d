"""Notification forms: the settings (a channel per kind, the digest period)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice as Choice
from wtforms.validators import InputRequired

from .models import CHOICES

CHANNEL_LABELS = {"app": _l("Dans Coopol seulement"), "mail": _l("Un mail tout de suite"),
                  "digest": _l("Dans le résumé"), "off": _l("Jamais")}
KIND_LABELS = {"event": _l("Nouvel événement sur mes thèmes près de chez moi"),
               "consultation": _l("Consultation ouverte ou bientôt close"),
               "group": _l("Activité de mes groupes"),
               "rsvp": _l("Changements de mes inscriptions")}
REQUIRED = _l("Fais un choix.")


def _channel_field(kind: str) -> RadioField:
    return RadioField(KIND_LABELS[kind], validators=[InputRequired(REQUIRED)],
                      choices=[Choice(c, CHANNEL_LABELS[c]) for c in CHOICES[kind]])


class SettingsForm(FlaskForm):
    event = _channel_field("event")
    consultation = _channel_field("consultation")
    group = _channel_field("group")
    rsvp = _channel_field("rsvp")
    digest_period = RadioField(_l("Fréquence du résumé"), validators=[InputRequired(REQUIRED)],
                               choices=[Choice("daily", _l("Chaque jour")),
                                        Choice("weekly", _l("Chaque semaine"))])


class ConfirmForm(FlaskForm):
    """A button and its CSRF token: mark all read, turn a kind of mail off."""
