"""The member's feed on the home page: my RSVPs, my groups, near me, consultations open to me;
newest first, each item once, page after page with and without htmx, in constant statements."""

from datetime import timedelta

from coopol.database import utcnow
from coopol.extensions import db
from coopol.groups.models import Post
from tests.conftest import login, make_member, make_section
from tests.consultations_factories import make_consultation
from tests.events_factories import join, make_event, make_organiser
from tests.groups_factories import add_member, make_group, make_thread
from tests.querycount import count_queries

HX = {"HX-Request": "true"}
VIENNE = "38544"


def aged(obj, minutes):
    """Date a row `minutes` ago, so the feed's order is known."""
    obj.created_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()
    return obj


def test_event_reaching_me_by_three_paths_shows_once(client, section, member):
    group = make_group(section=section)
    add_member(group, member)
    event = make_event(section, make_organiser(section), group_id=group.id,
                       title="Porte-à-porte Villeneuve")
    join(event, member)
    login(client, member)
    home = client.get("/")
    feed = home.text.split('id="feed"')[1].split("</ol>")[0]
    assert feed.count("Porte-à-porte Villeneuve") == 1
    assert "Je suis inscrit·e" in feed  # the most personal reason wins


def test_feed_mixes_my_groups_near_me_and_open_consultations_newest_first(client, section,
                                                                         member):
    group = make_group(section=section, name="Quartiers nord")
    add_member(group, member)
    aged(make_thread(group, make_member(), title="Réunion de rentrée"), 30)
    aged(make_event(section, title="Marché de l'Estacade"), 10)
    make_consultation(phase="contributions", title="Nos priorités 2027")
    login(client, member)
    feed = client.get("/notify/feed").text
    order = [feed.index(t) for t in ("Marché de l&#39;Estacade", "Réunion de rentrée",
                                     "Nos priorités 2027")]
    assert order == sorted(order), order
    assert "Discussion dans Quartiers nord" in feed and "Près de chez moi" in feed


def test_feed_leaves_out_what_is_not_mine(client, section, member):
    far = make_section("Vienne", "38", [VIENNE])
    make_event(far, title="Loin d'ici", commune=VIENNE)
    make_event(section, title="Annulé", status="cancelled")
    make_event(section, title="Passé", starts_in=-timedelta(days=2))
    stranger_group = make_group(section=section)
    make_thread(stranger_group, make_member(), title="Pas mon groupe")
    mine = make_group(section=section)
    add_member(mine, member)
    hidden = make_thread(mine, make_member(), title="Masqué")
    db.session.get(Post, hidden.id).hidden_at = utcnow()
    db.session.commit()
    make_consultation(phase="contributions", section=far, title="Consultation de Vienne")
    login(client, member)
    feed = client.get("/notify/feed").text
    for title in ("Loin d", "Annulé", "Passé", "Pas mon groupe", "Masqué", "de Vienne"):
        assert title not in feed, title
    assert "Rien de neuf" in feed


def test_feed_pages_with_a_plain_link_and_with_htmx(client, section, member):
    for k in range(23):
        aged(make_event(section, title=f"Action n°{k}"), k)
    login(client, member)
    home = client.get("/").text
    assert "Action n°0<" in home and "Action n°10<" not in home
    assert 'href="/notify/feed?page=2"' in home and 'hx-target="closest li"' in home
    more = client.get("/notify/feed?page=2", headers=HX)
    assert more.status_code == 200 and "<html" not in more.text
    assert more.text.lstrip().startswith("<li") and "Action n°10<" in more.text
    assert 'href="/notify/feed?page=3"' in more.text
    plain = client.get("/notify/feed?page=3")
    assert "<html" in plain.text and "Action n°22<" in plain.text
    assert "page=4" not in plain.text and 'href="/notify/feed?page=2"' in plain.text
    assert client.get("/notify/feed?page=abc").status_code == 200


def grow(section, member, n):
    """Add n threads, events (in my group, RSVPed) and consultations, interleaved in time, so
    that every page holds each kind of item whatever n is."""
    now = utcnow()
    for k in range(n):
        group = make_group(section=section)
        add_member(group, member)
        aged(make_thread(group, make_member()), 3 * k)
        event = aged(make_event(section, group_id=group.id), 3 * k + 1)
        aged(join(event, member), 3 * k + 1)
        consultation = make_consultation(phase="contributions")
        consultation.contributions_open_at = now - timedelta(minutes=3 * k + 2)
        db.session.commit()


def test_feed_statements_do_not_grow(client, section, member):
    login(client, member)
    client.get("/")
    grow(section, member, 1)
    client.get("/")
    with count_queries() as few:
        assert client.get("/notify/feed").status_code == 200
    grow(section, member, 12)
    with count_queries() as many:
        assert client.get("/notify/feed").status_code == 200
    assert few.count == many.count <= 7, f"{few}\n---\n{many}"


def test_home_page_with_a_full_feed_stays_constant(client, section, member):
    login(client, member)
    grow(section, member, 1)
    client.get("/")
    with count_queries() as few:
        assert client.get("/").status_code == 200
    grow(section, member, 12)
    with count_queries() as many:
        assert client.get("/").status_code == 200
    # The other boxes' statements, and the feed's: one UNION, then one load per kind of item
    # on the page (events, threads, consultations here; proposals would make one more).
    assert few.count == many.count <= 14, f"{few}\n---\n{many}"
