"""Accounts: sign up with a postal code, confirm, log in and out, reset and change passwords."""

import re

import pytest
from sqlalchemy import func, select

from coopol import mail
from coopol.auth import service as auth_service
from coopol.extensions import db
from coopol.profile.models import Member
from tests.conftest import CERGY, GRENOBLE, PASSWORD, login, make_member, make_section, reload


def register_data(**overrides):
    data = {"email": "Lea@Exemple.fr", "password": "un-bon-mot-de-passe", "display_name": "Léa",
            "place": "38000", "commune": ""}
    data.update(overrides)
    return data


def member_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Member))


def neutral(html: str) -> str:
    """A page without what differs from one visitor to the next (their CSRF token)."""
    return re.sub(r'(csrf_token" value="|"X-CSRFToken": ")[^"]+', r"\1", html)


def link_in(message) -> str:
    return re.search(r"http://coopol\.test(/\S+)", message.get_content()).group(1)


def test_register_places_member_in_commune_and_section(client, sent_mail):
    section = make_section("Grenoble", "38", [GRENOBLE])
    response = client.post("/auth/register", data=register_data())
    assert response.status_code == 303
    assert response.location.endswith("/auth/login")
    # The account is usable once the mailed link is clicked, not before.
    with client.session_transaction() as session:
        assert "_user_id" not in session
    member = db.session.scalar(select(Member))
    assert member.email == "lea@exemple.fr"
    assert member.commune_insee == GRENOBLE
    assert member.section_id == section.id
    assert member.email_confirmed_at is None
    assert member.password_hash.startswith("scrypt:")
    # The mail waits in the outbox until the worker sends it.
    assert sent_mail == []
    assert mail.work_once() == 1
    assert sent_mail[0]["To"] == "lea@exemple.fr"
    response = client.get(link_in(sent_mail[0]))
    assert response.status_code == 303 and response.location.endswith("/profile/edit")
    assert reload(Member, member.id).email_confirmed_at is not None
    assert "Bienvenue" in client.get("/profile/edit").get_data(as_text=True)


def test_confirmation_link_logs_in_only_the_first_time(client, sent_mail):
    client.post("/auth/register", data=register_data())
    mail.work_once()
    link = link_in(sent_mail[0])
    assert client.get(link).location.endswith("/profile/edit")
    other = client.application.test_client()
    response = other.get(link)
    assert response.location.endswith("/")  # confirmed already: no second login by link
    with other.session_transaction() as session:
        assert "_user_id" not in session


def test_register_shared_postal_code_asks_to_pick_commune(client):
    response = client.post("/auth/register", data=register_data(place="95000"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Plusieurs communes correspondent" in html
    assert 'value="95127"' in html and "Cergy" in html
    assert member_count() == 0
    response = client.post("/auth/register", data=register_data(place="95000", commune=CERGY))
    assert response.status_code == 303
    assert db.session.scalar(select(Member.commune_insee)) == CERGY


def test_register_by_commune_name(client):
    response = client.post("/auth/register", data=register_data(place="grenoble"))
    assert response.status_code == 303
    assert db.session.scalar(select(Member.commune_insee)) == GRENOBLE


@pytest.mark.parametrize(("overrides", "message"), [
    ({"email": ""}, "Indique ton adresse e-mail."),
    ({"email": "pas-une-adresse"}, "pas valide."),
    ({"email": "a" * 250 + "@x.fr"}, "Cette adresse est trop longue."),
    ({"password": "court"}, "au moins 10 caractères"),
    ({"display_name": ""}, "Indique le nom que les autres verront."),
    ({"display_name": "x" * 81}, "80 caractères au plus."),
    ({"place": ""}, "Indique ton code postal ou ta commune."),
    ({"place": "99999"}, "Aucune commune ne correspond"),
    ({"place": "38000", "commune": CERGY}, "Le formulaire contient des erreurs"),
])
def test_register_bad_input_is_refused_in_french(client, overrides, message):
    data = register_data(**overrides)
    if overrides.get("commune") == CERGY:
        data["place"] = "zzz-nowhere"
    response = client.post("/auth/register", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert member_count() == 0


def _register_answer(client, email):
    """What a visitor sees after signing up with this address, the address blanked out."""
    response = client.post("/auth/register", data=register_data(email=email))
    page = client.get(response.location)
    with client.session_transaction() as session:
        logged_in = "_user_id" in session
    return (response.status_code, response.location, logged_in,
            neutral(page.get_data(as_text=True)).replace(email.lower(), "ADRESSE"))


def test_register_existing_email_answers_like_a_new_one_and_mails_the_owner(app, sent_mail):
    owner = make_member(email="lea@exemple.fr", name="Léa")
    existing = _register_answer(app.test_client(), "LEA@exemple.FR")
    new = _register_answer(app.test_client(), "nadia@exemple.fr")
    assert existing == new
    assert existing[0] == 303 and "Presque fini" in existing[3]
    assert member_count() == 2  # Léa's account, and Nadia's new one
    assert reload(Member, owner.id).password_hash == owner.password_hash
    assert mail.work_once() == 2
    to_owner = next(m for m in sent_mail if m["To"] == "lea@exemple.fr")
    assert to_owner["Subject"] == "Ton adresse a déjà un compte Coopol"
    body = to_owner.get_content()
    assert "Quelqu'un a essayé de créer un compte" in body
    assert "/auth/login" in body and "/auth/forgot" in body
    assert "/auth/confirm/" not in body


def test_unconfirmed_account_cannot_log_in_and_gets_its_link_again(client, sent_mail):
    make_member(email="nadia@exemple.fr", confirmed=False)
    answers = [_login_answer(client, email, password) for email, password in (
        ("nadia@exemple.fr", PASSWORD), ("nadia@exemple.fr", "faux-mot-de-passe"),
        ("personne@exemple.fr", PASSWORD))]
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 422
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert mail.work_once() == 1  # the link again, only for the right password
    assert "/auth/confirm/" in sent_mail[0].get_content()


def test_login_and_logout(client):
    member = make_member(email="nadia@exemple.fr")
    response = client.post("/auth/login", data={"email": "NADIA@exemple.fr", "password": PASSWORD})
    assert response.status_code == 303
    assert "Bonjour" in client.get("/").get_data(as_text=True)
    assert client.post("/auth/logout").status_code == 303
    assert "Je m'inscris" in client.get("/").get_data(as_text=True)
    assert reload(Member, member.id).last_seen_at is not None


def test_login_next_stays_on_site(client):
    make_member(email="nadia@exemple.fr")
    data = {"email": "nadia@exemple.fr", "password": PASSWORD}
    response = client.post("/auth/login?next=/profile/", data=data)
    assert response.location == "/profile/"
    client.post("/auth/logout")
    response = client.post("/auth/login?next=//evil.example/", data=data)
    assert response.location == "/"


def test_login_remember_me_sets_cookie(client):
    make_member(email="nadia@exemple.fr")
    client.post("/auth/login", data={"email": "nadia@exemple.fr", "password": PASSWORD,
                                     "remember": "y"})
    assert client.get_cookie("remember_token", domain="coopol.test") is not None


def _login_answer(client, email, password):
    response = client.post("/auth/login", data={"email": email, "password": password})
    return response.status_code, neutral(response.get_data(as_text=True)).replace(email, "ADRESSE")


def test_login_failure_says_the_same_for_unknown_and_wrong(client):
    make_member(email="nadia@exemple.fr")
    wrong = _login_answer(client, "nadia@exemple.fr", "faux-mot-de-passe")
    unknown = _login_answer(client, "personne@exemple.fr", "faux-mot-de-passe")
    assert wrong == unknown
    assert wrong[0] == 422 and "Adresse e-mail ou mot de passe incorrect" in wrong[1]


def test_login_is_rate_limited(client):
    data = {"email": "x@exemple.fr", "password": "faux-mot-de-passe"}
    codes = [client.post("/auth/login", data=data).status_code for _ in range(11)]
    assert codes[:10] == [422] * 10
    assert codes[10] == 429
    assert "Trop de tentatives" in client.post("/auth/login", data=data).get_data(as_text=True)


def test_password_reset_by_mail_works_once(client, sent_mail):
    member = make_member(email="nadia@exemple.fr")
    response = client.post("/auth/forgot", data={"email": "nadia@exemple.fr"})
    assert response.status_code == 303
    mail.work_once()
    path = link_in(sent_mail[0])
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": "nouveau-mot-de-passe",
                                       "confirm": "nouveau-mot-de-passe"})
    assert response.status_code == 303
    assert auth_service.authenticate("nadia@exemple.fr", "nouveau-mot-de-passe").id == member.id
    client.post("/auth/logout")
    response = client.get(path)  # the link has served
    assert response.status_code == 303 and "/auth/forgot" in response.location


def test_password_reset_mismatch_and_short(client, sent_mail):
    make_member(email="nadia@exemple.fr")
    client.post("/auth/forgot", data={"email": "nadia@exemple.fr"})
    mail.work_once()
    path = link_in(sent_mail[0])
    response = client.post(path, data={"password": "nouveau-mot-de-passe", "confirm": "autre"})
    assert response.status_code == 422
    assert "ne sont pas identiques" in response.get_data(as_text=True)
    assert auth_service.authenticate("nadia@exemple.fr", PASSWORD) is not None


def test_password_reset_link_expires(client, app, sent_mail):
    make_member(email="nadia@exemple.fr")
    client.post("/auth/forgot", data={"email": "nadia@exemple.fr"})
    mail.work_once()
    app.config["RESET_LINK_MAX_AGE"] = -1
    try:
        response = client.get(link_in(sent_mail[0]))
    finally:
        app.config["RESET_LINK_MAX_AGE"] = 3600
    assert response.status_code == 303


def test_forgot_password_does_not_reveal_accounts(app, sent_mail):
    make_member(email="nadia@exemple.fr")
    answers = []
    for email in ("personne@exemple.fr", "nadia@exemple.fr"):
        response = app.test_client().post("/auth/forgot", data={"email": email},
                                          follow_redirects=True)
        answers.append((response.status_code, neutral(response.get_data(as_text=True))))
    assert answers[0] == answers[1]
    assert "Si un compte existe pour cette adresse" in answers[0][1]
    assert mail.work_once() == 1 and sent_mail[0]["To"] == "nadia@exemple.fr"


def test_change_password_logs_out_other_devices(app, client):
    member = make_member(email="nadia@exemple.fr")
    other_device = app.test_client()
    login(client, member)
    login(other_device, member)
    response = client.post("/auth/account/password", data={
        "current": PASSWORD, "password": "nouveau-mot-de-passe", "confirm": "nouveau-mot-de-passe",
    })
    assert response.status_code == 303
    assert client.get("/profile/").status_code == 200
    assert other_device.get("/profile/").status_code == 302


def test_change_password_needs_current_password(client, member_client):
    response = member_client.post("/auth/account/password", data={
        "current": "pas-le-bon", "password": "nouveau-mot-de-passe",
        "confirm": "nouveau-mot-de-passe",
    })
    assert response.status_code == 422
    assert "Mot de passe incorrect." in response.get_data(as_text=True)


def test_change_email_takes_effect_when_confirmed(client, sent_mail):
    member = make_member(email="nadia@exemple.fr")
    login(client, member)
    response = client.post("/auth/account/email", data={"email": "Nadia@Nouveau.fr",
                                                         "current": PASSWORD})
    assert response.status_code == 303
    assert reload(Member, member.id).email == "nadia@exemple.fr"
    mail.work_once()
    assert sent_mail[0]["To"] == "nadia@nouveau.fr"
    client.get(link_in(sent_mail[0]))
    assert reload(Member, member.id).email == "nadia@nouveau.fr"


def test_change_email_refuses_taken_address(client, member_client):
    make_member(email="pris@exemple.fr")
    response = member_client.post("/auth/account/email", data={"email": "pris@exemple.fr",
                                                                "current": PASSWORD})
    assert response.status_code == 422
    assert "déjà utilisée" in response.get_data(as_text=True)


def test_bad_confirmation_link(client):
    response = client.get("/auth/confirm/pas-un-jeton", follow_redirects=True)
    assert "plus valable" in response.get_data(as_text=True)


def test_resend_confirmation(client, sent_mail):
    member = make_member(confirmed=False)
    login(client, member)
    assert "Renvoyer le lien" in client.get("/").get_data(as_text=True)
    assert client.post("/auth/confirm/resend").status_code == 303
    assert mail.work_once() == 1


def test_htmx_request_without_login_redirects_back_after_login(client):
    response = client.post("/profile/consent", data={"decision": "give"}, headers={
        "HX-Request": "true", "HX-Current-URL": "http://coopol.test/profile/"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/auth/login?next=/profile/"


def _started_value(client) -> str:
    html = client.get("/auth/register").get_data(as_text=True)
    return html.split('id="started" name="started" type="hidden" value="')[1].split('"')[0]


def test_register_honeypot_refuses_bots(client):
    response = client.post("/auth/register", data=register_data(website="http://spam.example"))
    assert response.status_code == 422
    assert "n&#39;a pas pu être envoyé" in response.get_data(as_text=True) or \
        "n'a pas pu être envoyé" in response.get_data(as_text=True)
    assert member_count() == 0


def test_register_too_fast_or_forged_timing_is_refused(app, client, monkeypatch):
    app.config["FORM_MIN_SECONDS"] = 3
    try:
        started = _started_value(client)
        response = client.post("/auth/register", data=register_data(started=started))
        assert response.status_code == 422 and "trop vite" in response.get_data(as_text=True)
        response = client.post("/auth/register", data=register_data(started="forged"))
        assert response.status_code == 422
        assert member_count() == 0
        import time as real_time
        later = real_time.time() + 5
        monkeypatch.setattr("coopol.auth.forms.time.time", lambda: later)
        response = client.post("/auth/register", data=register_data(started=started))
        assert response.status_code == 303
    finally:
        app.config["FORM_MIN_SECONDS"] = 0


def test_register_is_limited_per_mail_domain(app, client):
    app.config["REGISTER_DOMAIN_LIMIT"] = "2 per hour"
    try:
        codes = []
        for i in range(3):
            client.post("/auth/logout")
            codes.append(client.post("/auth/register", data=register_data(
                email=f"bot{i}@spam.example")).status_code)
        assert codes == [303, 303, 429]
        client.post("/auth/logout")
        other = client.post("/auth/register", data=register_data(email="lea@exemple.fr"))
        assert other.status_code == 303
    finally:
        app.config["REGISTER_DOMAIN_LIMIT"] = "30 per hour"
