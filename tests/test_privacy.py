"""GDPR: a member downloads all their data, erases their account; retention purges the rest."""

from datetime import timedelta

from sqlalchemy import func, select

from coopol import mail
from coopol.auth.service import authenticate
from coopol.database import utcnow
from coopol.extensions import db
from coopol.mail import OutboxMail
from coopol.profile import privacy
from coopol.profile.models import AuditLog, ConsentEvent, Member, Role
from tests.conftest import PASSWORD, login, make_member, make_theme, reload


def test_member_downloads_all_their_data(client, section):
    member = make_member(email="lea@exemple.fr", name="Léa", interests=[make_theme("Santé")])
    login(client, member)
    client.post("/profile/consent", data={"decision": "give"})
    response = client.get("/profile/data.json")
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = response.json
    assert data["profil"]["email"] == "lea@exemple.fr"
    assert data["profil"]["themes"] == ["Santé"]
    assert data["profil"]["section"] == "Grenoble"
    assert [e["accord"] for e in data["historique_accord"]] == [True]
    html = client.get("/profile/data").get_data(as_text=True)
    assert "lea@exemple.fr" in html and "Santé" in html


def test_erasure_removes_personal_data_and_keeps_audit(client, section):
    member = make_member(email="lea@exemple.fr", name="Léa", roles=[("organiser", section)],
                         interests=[make_theme()])
    login(client, member)
    client.post("/profile/consent", data={"decision": "give"})
    mail.queue("lea@exemple.fr", "confirm_email", name="Léa", token="x")
    db.session.commit()
    response = client.post("/profile/delete", data={"password": PASSWORD})
    assert response.status_code == 303
    erased = reload(Member, member.id)
    assert erased.display_name == privacy.ERASED_NAME
    assert "lea" not in erased.email and erased.commune_insee is None
    assert erased.interests == [] and erased.mobilisation_consent_at is None
    assert erased.erased_at is not None
    assert authenticate("lea@exemple.fr", PASSWORD) is None
    for model in (ConsentEvent, Role, OutboxMail):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0
    actions = db.session.scalars(select(AuditLog.action)).all()
    assert "member.erase" in actions and "role.grant" in actions
    assert client.get("/profile/").status_code == 302  # logged out


def test_erasure_needs_the_password(member_client, member):
    response = member_client.post("/profile/delete", data={"password": "pas-le-bon"})
    assert response.status_code == 422
    assert "Mot de passe incorrect." in response.get_data(as_text=True)
    assert reload(Member, member.id).erased_at is None


def test_purge_removes_old_unconfirmed_accounts_and_sent_mail(app):
    old = make_member(confirmed=False)
    old.created_at = utcnow() - timedelta(days=31)
    recent = make_member(confirmed=False)
    kept = make_member()
    kept.created_at = utcnow() - timedelta(days=400)
    mail.queue("x@exemple.fr", "confirm_email", name="X", token="t")
    db.session.commit()
    mail.work_once()
    db.session.execute(OutboxMail.__table__.update().values(
        created_at=utcnow() - timedelta(days=31)))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "1 comptes non confirmés" in result.output and "1 mails envoyés" in result.output
    remaining = set(db.session.scalars(select(Member.id)))
    assert remaining == {recent.id, kept.id}


def test_privacy_page_is_public_and_plain(client):
    html = client.get("/privacy").get_data(as_text=True)
    assert "données sensibles" in html and "30 jours" in html
