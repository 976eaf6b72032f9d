"""Discussion: threads, replies by cursor, editing and deleting, hiding, reporting, mail."""

import pytest
from sqlalchemy import select

from coopol import mail
from coopol.extensions import db
from coopol.groups.models import Group, Post, PostReport
from tests.conftest import login, reload
from tests.groups_factories import (
    HX,
    add_member,
    count,
    make_group,
    make_reply,
    make_thread,
    new_member,
    text,
)


@pytest.fixture
def setting():
    """A group with its animateur, a member, and a thread by the member."""
    animateur, member = new_member(name="Anim"), new_member(name="Militant")
    group = make_group("Vélo", creator=animateur)
    add_member(group, member)
    thread = make_thread(group, member)
    return group, animateur, member, thread


def test_member_opens_a_thread_and_followers_get_a_mail(client, setting, sent_mail):
    group, animateur, member, _thread = setting
    follower, quiet = new_member(email="suit@exemple.fr"), new_member()
    add_member(group, follower, notify="threads")
    add_member(group, quiet, notify="none")
    login(client, member)
    response = client.post(f"/groups/{group.slug}/threads/new",
                           data={"title": "Manif samedi", "body": "Qui vient ? <b>x</b>"})
    assert response.status_code == 303
    post = db.session.scalar(select(Post).where(Post.title == "Manif samedi"))
    assert response.location.endswith(f"/groups/{group.slug}/threads/{post.id}")
    html = client.get(response.location).get_data(as_text=True)
    assert "<b>x</b>" not in html and "Qui vient ? &lt;b&gt;x&lt;/b&gt;" in html
    assert sent_mail == []  # queued, never sent inside the request
    assert mail.work_once() == 1
    assert sent_mail[0]["To"] == "suit@exemple.fr"
    assert "Manif samedi" in sent_mail[0]["Subject"]


@pytest.mark.parametrize(("data", "message"), [
    ({"title": "", "body": "x"}, "Donne un titre."),
    ({"title": "x" * 201, "body": "x"}, "200 caractères au plus."),
    ({"title": "Titre", "body": "   "}, "Écris ton message."),
    ({"title": "Titre", "body": "x" * 10001}, "10000 caractères au plus."),
])
def test_thread_bad_input_is_refused(client, setting, data, message):
    group, _animateur, member, _thread = setting
    login(client, member)
    response = client.post(f"/groups/{group.slug}/threads/new", data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert count(Post) == 1


@pytest.mark.parametrize("who", ["outsider", "pending", "unconfirmed"])
def test_only_confirmed_active_members_post(client, setting, who):
    group, _animateur, _member, thread = setting
    person = new_member(confirmed=who != "unconfirmed")
    if who != "outsider":
        add_member(group, person, status="pending" if who == "pending" else "active")
    login(client, person)
    responses = [
        client.post(f"/groups/{group.slug}/threads/new", data={"title": "t", "body": "b"}),
        client.post(f"/groups/{group.slug}/threads/{thread.id}/reply", data={"body": "b"}),
    ]
    assert [r.status_code for r in responses] == [403, 403]
    assert count(Post) == 1


@pytest.mark.parametrize("headers", [{}, HX])
def test_member_replies(client, setting, headers):
    group, animateur, _member, thread = setting
    earlier = make_reply(thread, animateur, "Première réponse")
    login(client, animateur)
    response = client.post(f"/groups/{group.slug}/threads/{thread.id}/reply",
                           data={"body": "Je viens **aussi**", "after": str(earlier.id)},
                           headers=headers)
    reply = db.session.scalar(select(Post).where(Post.body == "Je viens **aussi**"))
    if headers:
        html = text(response)
        assert response.status_code == 200 and "<html" not in html
        assert "<strong>aussi</strong>" in html and 'id="tail"' in html
        assert "Première réponse" not in html  # only what came after the page's last reply
        # The count above the replies follows, out of band.
        assert '<h2 id="replies-title" hx-swap-oob="true">2 réponses</h2>' in html
    else:
        assert response.status_code == 303
        assert response.location.endswith(f"/threads/{thread.id}#post-{reply.id}")
    thread = reload(Post, thread.id)
    assert thread.reply_count == 2
    assert reload(Group, group.id).last_activity_at >= reply.created_at


def test_empty_reply_is_refused_in_place(client, setting):
    group, _animateur, member, thread = setting
    login(client, member)
    response = client.post(f"/groups/{group.slug}/threads/{thread.id}/reply",
                           data={"body": ""}, headers=HX)
    assert response.status_code == 422
    assert "Écris ton message." in text(response)
    assert count(Post) == 1


def test_replies_load_by_cursor(client, setting, monkeypatch):
    from coopol.groups import service_posts
    monkeypatch.setattr(service_posts, "REPLIES_PAGE", 2)
    group, animateur, member, thread = setting
    replies = [make_reply(thread, member, f"Réponse numéro {n}") for n in range(5)]
    login(client, animateur)
    first = text(client.get(f"/groups/{group.slug}/threads/{thread.id}"))
    assert "numéro 0" in first and "numéro 1" in first and "numéro 2" not in first
    assert f"after={replies[1].id}" in first and "Réponses suivantes" in first
    more = text(client.get(f"/groups/{group.slug}/threads/{thread.id}?after={replies[1].id}",
                           headers=HX))
    assert "<html" not in more
    assert "numéro 2" in more and "numéro 3" in more and "numéro 1" not in more
    last = text(client.get(f"/groups/{group.slug}/threads/{thread.id}?after={replies[3].id}",
                           headers=HX))
    assert "numéro 4" in last and "Voir les nouvelles réponses" in last


def test_threads_list_pages_by_cursor(client, setting, monkeypatch):
    from coopol.groups import service_posts
    monkeypatch.setattr(service_posts, "THREADS_PAGE", 2)
    group, _animateur, member, _thread = setting
    for n in range(3):
        make_thread(group, member, title=f"Sujet {n}")
    login(client, member)
    first = text(client.get(f"/groups/{group.slug}/threads"))
    assert "Sujet 2" in first and "Sujet 1" in first and "Sujet 0" not in first
    cursor = first.split("before=")[1].split('"')[0]
    more = text(client.get(f"/groups/{group.slug}/threads?before={cursor}", headers=HX))
    assert "<html" not in more and "Sujet 0" in more and "Première réunion" in more
    assert "Sujet 2" not in more
    odd = client.get(f"/groups/{group.slug}/threads?before=n'importe-quoi")
    assert odd.status_code == 200 and "Sujet 2" in text(odd)


def test_author_edits_and_deletes_own_post(client, setting):
    group, _animateur, member, thread = setting
    login(client, member)
    assert client.get(f"/groups/{group.slug}/posts/{thread.id}/edit").status_code == 200
    response = client.post(f"/groups/{group.slug}/posts/{thread.id}/edit",
                           data={"title": "Réunion jeudi", "body": "Plutôt 19 h"})
    assert response.status_code == 303
    post = reload(Post, thread.id)
    assert (post.title, post.body) == ("Réunion jeudi", "Plutôt 19 h") and post.edited_at
    assert client.post(f"/groups/{group.slug}/posts/{thread.id}/delete").status_code == 303
    assert reload(Post, thread.id).deleted_at is not None
    html = text(client.get(f"/groups/{group.slug}/threads/{thread.id}"))
    assert "Message supprimé" in html and "Plutôt 19 h" not in html
    assert "Discussion supprimée" in html and "Réunion jeudi" not in html
    assert "Réunion jeudi" not in text(client.get(f"/groups/{group.slug}/threads"))


def test_others_cannot_edit_or_delete_a_post(client, setting):
    group, animateur, _member, thread = setting
    login(client, animateur)
    for path in ("edit", "delete"):
        response = client.post(f"/groups/{group.slug}/posts/{thread.id}/{path}",
                               data={"title": "x", "body": "x"})
        assert response.status_code == 403
    post = reload(Post, thread.id)
    assert (post.title, post.deleted_at) == ("Première réunion", None)


def test_animateur_hides_a_post_with_a_reason(client, setting):
    group, animateur, member, thread = setting
    reply = make_reply(thread, member, "Propos insultants")
    login(client, animateur)
    assert client.get(f"/groups/{group.slug}/posts/{reply.id}/hide").status_code == 200
    response = client.post(f"/groups/{group.slug}/posts/{reply.id}/hide", data={"reason": ""})
    assert response.status_code == 422 and "Indique pourquoi" in text(response)
    response = client.post(f"/groups/{group.slug}/posts/{reply.id}/hide",
                           data={"reason": "Pas d'insultes ici"})
    assert response.status_code == 303
    html = text(client.get(f"/groups/{group.slug}/threads/{thread.id}"))
    assert "Message masqué par l'animation : Pas d'insultes ici" in html
    assert "Propos insultants" not in html
    # A hidden post can no longer be edited by its author.
    login(client, member)
    response = client.post(f"/groups/{group.slug}/posts/{reply.id}/edit", data={"body": "x"})
    assert response.status_code == 409


def test_member_cannot_hide_posts(client, setting):
    group, _animateur, member, thread = setting
    login(client, member)
    response = client.post(f"/groups/{group.slug}/posts/{thread.id}/hide",
                           data={"reason": "non"})
    assert response.status_code == 403
    assert reload(Post, thread.id).hidden_at is None


def test_member_reports_a_post_once_and_animateurs_are_told(client, setting, sent_mail):
    group, animateur, member, thread = setting
    reporter = new_member()
    add_member(group, reporter)
    login(client, reporter)
    response = client.post(f"/groups/{group.slug}/posts/{thread.id}/report",
                           data={"reason": "Hors sujet"})
    assert response.status_code == 303
    assert reload(Post, thread.id).report_count == 1
    again = client.post(f"/groups/{group.slug}/posts/{thread.id}/report", data={"reason": ""})
    assert again.status_code == 409 and "déjà signalé" in text(again)
    assert count(PostReport) == 1
    assert mail.work_once() == 1
    assert sent_mail[0]["To"] == animateur.email and "Hors sujet" in sent_mail[0].get_content()
    login(client, animateur)
    assert "1 signalement" in text(client.get(f"/groups/{group.slug}/threads/{thread.id}"))


def test_post_of_another_group_is_404(client, setting):
    group, animateur, _member, _thread = setting
    other = make_group("Jardins")
    foreign = make_thread(other, animateur)
    login(client, animateur)
    for method, path in [("get", f"/threads/{foreign.id}"), ("post", f"/posts/{foreign.id}/hide"),
                         ("post", f"/posts/{foreign.id}/delete"),
                         ("post", f"/threads/{foreign.id}/reply")]:
        response = getattr(client, method)(f"/groups/{group.slug}{path}", data={"body": "x",
                                                                              "reason": "x"})
        assert response.status_code == 404, path
    assert reload(Post, foreign.id).hidden_at is None


def test_reply_link_to_a_reply_goes_to_its_thread(client, setting):
    group, animateur, member, thread = setting
    reply = make_reply(thread, member)
    login(client, animateur)
    response = client.get(f"/groups/{group.slug}/threads/{reply.id}")
    assert response.status_code == 303 and f"/threads/{thread.id}#post-{reply.id}" in \
        response.location


@pytest.mark.parametrize("who", ["outsider", "pending", "member", "animateur"])
def test_closed_groups_discussions_are_for_members(client, who):
    animateur, person = new_member(), new_member()
    group = make_group("Atelier", creator=animateur, is_open=False)
    thread = make_thread(group, animateur, title="Ordre du jour secret")
    if who in ("pending", "member"):
        add_member(group, person, status="pending" if who == "pending" else "active")
    login(client, animateur if who == "animateur" else person)
    allowed = who in ("member", "animateur")
    for path in ("/threads", f"/threads/{thread.id}", "/proposals"):
        response = client.get(f"/groups/{group.slug}{path}")
        assert response.status_code == (200 if allowed else 403), path
        if not allowed:
            assert "rejoins-le pour lire" in text(response)
    page = text(client.get(f"/groups/{group.slug}"))
    assert ("Ordre du jour secret" in page) == allowed
