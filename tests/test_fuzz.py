"""Hostile input on every form and htmx endpoint: never a 500, whatever is thrown at it.

For each POST route, the field names come from the route's own page when it has one (else from
every form of the site); hypothesis then sends random and hostile values for them, as the
member with the most rights over the target, with and without HX-Request.
"""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import login
from tests.test_access import AFTER_CLOSE, world  # noqa: F401 - the fixture is used by name

HOSTILE = st.sampled_from([
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "' OR 1=1 --",
    "'); DROP TABLE member; --", "\x00\x01\x1b", "9" * 400, "-1", "0", "1e308", "NaN",
    "2026-13-45T25:61", "", " ", "\u202e\u200b", "ﷺ" * 60, "😀" * 40, "../../etc/passwd",
    "{{7*7}}", "%s%n%x", "s:999999", "f:ZZ", "insee:00000", "[x](javascript:alert(1))",
])
VALUES = st.one_of(HOSTILE, st.text(max_size=200), st.integers().map(str))
SKIP = {"auth.logout", "profile.delete", "home.set_language"}  # end the session by design
MODERATION = {"profile.block", "profile.unblock"}  # thrown at as the admin, who may use them
NAME = re.compile(r'name="([a-z_]+)"')


def _post_rules():
    from coopol import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.endpoint not in SKIP:
            yield pytest.param(rule.rule, rule.endpoint, "GET" in rule.methods,
                               id=f"{rule.endpoint} {rule.rule}")


def _url(rule, endpoint, things):
    url = rule
    if endpoint in AFTER_CLOSE:
        url = url.replace("<int:consultation_id>", str(things["closed_consultation_id"]))
    for key, value in things.items():
        if key != "members":
            for pattern in (f"<int:{key}>", f"<{key}>"):
                url = url.replace(pattern, str(value))
    return url.replace("<any(accept,reject,merge):action>", "merge")


@pytest.mark.parametrize(("rule", "endpoint", "has_page"), list(_post_rules()))
def test_hostile_input_never_breaks_a_route(client, world, rule, endpoint, has_page):  # noqa: F811
    moderator = endpoint.startswith(("admin", "consultations")) or endpoint in MODERATION
    login(client, world["members"]["admin" if moderator else "member"])
    url = _url(rule, endpoint, world)
    page = client.get(url).get_data(as_text=True) if has_page else ""
    names = sorted(set(NAME.findall(page)) - {"csrf_token"}) or [
        "body", "title", "name", "email", "text", "place", "commune", "code", "reason",
        "choice", "options", "points", "capacity", "starts_at", "decision", "notify", "into"]

    @settings(max_examples=6, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(data=st.dictionaries(st.sampled_from(names), VALUES, max_size=len(names)),
           htmx=st.booleans())
    def throw(data, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.post(url, data=data, headers=headers)
        assert response.status_code < 500
        if response.status_code == 200 and "text/html" in response.content_type:
            assert "<script>alert(1)</script>" not in response.get_data(as_text=True)

    throw()
