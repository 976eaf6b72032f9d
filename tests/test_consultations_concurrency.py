"""One ballot per member, held by the database under real parallel requests to a live server."""

import http.client
import threading
from urllib.parse import urlencode

from sqlalchemy import func, select

from coopol.consultations.models import Ballot, BallotChoice, Participation
from coopol.extensions import db
from tests.conftest import make_member
from tests.consultations_factories import make_consultation, option_ids

PARALLEL = 8


def session_cookie(app, member) -> str:
    serializer = app.session_interface.get_signing_serializer(app)
    value = serializer.dumps({"_user_id": member.get_id(), "_fresh": True})
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def post_all_at_once(port, requests) -> list[int]:
    """POST every (path, cookie, form) at the same instant, each on its own connection."""
    barrier = threading.Barrier(len(requests))
    statuses = [0] * len(requests)

    def send(i, path, cookie, form):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        body = urlencode(form, doseq=True)
        barrier.wait()
        connection.request("POST", path, body=body, headers={
            "Host": "coopol.test", "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded"})
        statuses[i] = connection.getresponse().status
        connection.close()

    threads = [threading.Thread(target=send, args=(i, *request))
               for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def rows(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_parallel_first_ballots_of_one_member_make_one_ballot(app, live_server, section):
    consultation = make_consultation("vote", max_choices=3)
    member = make_member()
    ids = list(option_ids(consultation).values())
    cookie = session_cookie(app, member)
    path = f"/consultations/{consultation.id}/vote"
    requests = [(path, cookie, {f"rank-{ids[i % 4]}": "1"}) for i in range(PARALLEL)]
    statuses = post_all_at_once(live_server.server_port, requests)
    assert statuses == [303] * PARALLEL
    assert (rows(Participation), rows(Ballot), rows(BallotChoice)) == (1, 1, 1)


def test_parallel_ballots_of_many_members_are_all_counted(app, live_server, section):
    consultation = make_consultation("vote", method="multiple", max_choices=2)
    ids = list(option_ids(consultation).values())
    members = [make_member() for _ in range(PARALLEL)]
    path = f"/consultations/{consultation.id}/vote"
    requests = [(path, session_cookie(app, m), {"choice": [str(ids[0]), str(ids[1])]})
                for m in members]
    assert post_all_at_once(live_server.server_port, requests) == [303] * PARALLEL
    assert (rows(Participation), rows(Ballot), rows(BallotChoice)) == \
        (PARALLEL, PARALLEL, 2 * PARALLEL)
