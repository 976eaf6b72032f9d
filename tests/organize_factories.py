"""Factories for the organisers' tools tests: consenting members, mobilisations."""

from coopol.database import utcnow
from coopol.extensions import db
from coopol.organize import mobilise, service
from tests.conftest import GRENOBLE, make_member


def make_consenting(commune=GRENOBLE, interests=(), **kwargs):
    """A member who gave the mobilisation consent."""
    member = make_member(commune=commune, interests=interests, **kwargs)
    member.mobilisation_consent_at = utcnow()
    db.session.commit()
    return member


def make_mobilisation(sender, subject="Tractage samedi", body="Venez **nombreux**.", **flt):
    """Send a mobilisation from `sender` to the consenting members of their scope."""
    scope = service.scope_of(sender)
    mobilisation = mobilise.send(sender, scope, service.MemberFilter(**flt), subject, body)
    db.session.commit()
    return mobilisation
