"""The optional second factor: turned on with a code, asked at login, turned off with both."""

import pyotp

from coopol.extensions import db
from coopol.profile.models import Member
from tests.conftest import PASSWORD, login, make_member, reload


def enable(client, member):
    login(client, member)
    html = client.get("/auth/two-factor").get_data(as_text=True)
    secret = html.split('<code class="key">')[1].split("<")[0]
    response = client.post("/auth/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 303
    return secret


def test_enable_then_login_asks_for_the_code(app, client):
    member = make_member(email="nadia@exemple.fr")
    secret = enable(client, member)
    assert reload(Member, member.id).totp_secret == secret
    fresh = app.test_client()
    response = fresh.post("/auth/login?next=/profile/",
                          data={"email": "nadia@exemple.fr", "password": PASSWORD})
    assert response.status_code == 303 and response.location == "/auth/login/code"
    assert fresh.get("/profile/").status_code == 302  # not logged in yet
    response = fresh.post("/auth/login/code", data={"code": "000000"})
    assert response.status_code == 422 and "pas le bon" in response.get_data(as_text=True)
    response = fresh.post("/auth/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 303 and response.location == "/profile/"
    assert fresh.get("/profile/").status_code == 200


def test_wrong_code_does_not_enable(member_client, member):
    member_client.get("/auth/two-factor")
    response = member_client.post("/auth/two-factor", data={"code": "12"})
    assert response.status_code == 422
    assert reload(Member, member.id).totp_secret is None


def test_code_page_without_password_step_goes_to_login(client):
    response = client.post("/auth/login/code", data={"code": "123456"})
    assert response.status_code == 303 and response.location == "/auth/login"


def test_disable_needs_password_and_code(client):
    member = make_member()
    secret = enable(client, member)
    code = pyotp.TOTP(secret).now()
    response = client.post("/auth/two-factor/disable", data={"password": "faux", "code": code})
    assert response.status_code == 422
    assert reload(Member, member.id).totp_secret == secret
    response = client.post("/auth/two-factor/disable", data={"password": PASSWORD, "code": code})
    assert response.status_code == 303
    assert reload(Member, member.id).totp_secret is None
    db.session.rollback()
