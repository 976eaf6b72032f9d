"""Issue 4's journeys: a Grenoble member finds a group, joins, posts, replies, supports, leaves;
an animateur accepts a request to join a closed group and hides a post with a reason.

Run in every browsing mode (see tests/e2e/journeys.py for the conventions): with JavaScript
the search, the join, the reply, the support and the leave are swapped in place.
"""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from coopol.groups.models import Group
from tests.e2e.journeys import flash, log_in, log_out
from tests.e2e.seed import GROUP, NAMES, PROPOSAL, THREAD, member_email
from tests.e2e.seed_animateur_organiser import APPLICANT, CLOSED_THREAD, RUDE_REPLY, closed_group
from tests.e2e.server import DEMO_PASSWORD


def log_in_as(v, email: str, name: str) -> None:
    """Log in through the form from the login page; land on the member's home."""
    v.goto("/auth/login")
    log_in(v, email, DEMO_PASSWORD)
    v.expect_page(f"Bonjour {name}")


def nav(v, name: str) -> None:
    """Follow a link of the site's main navigation."""
    v.link(name, v.page.locator("header nav"))


def in_place(v, act, then) -> None:
    """Do `act`; with JavaScript, check `then` came by an htmx swap, not a page load."""
    if v.js:
        v.mark()
    act()
    then()
    if v.js:
        v.assert_same_page()


def find_join_post_support_leave(v, server) -> None:
    name = NAMES[v.mode]
    log_in_as(v, member_email(v.mode), name)
    nav(v, "Groupes")
    v.expect_page("Groupes")
    v.check("group directory")

    results = v.page.locator("#results")
    if v.js:  # active search: the list narrows while typing, the address follows
        in_place(v, lambda: v.fill("Nom du groupe", "logem"),
                 lambda: expect(results.locator("h2")).to_have_text("1 groupe"))
        expect(v.page).to_have_url(re.compile(r"[?&]q=logem"))
    else:  # a plain GET form
        v.fill("Nom du groupe", "logem")
        v.button("Chercher")
        v.expect_page("Groupes")
        expect(results.locator("h2")).to_have_text("1 groupe")
    expect(results).to_contain_text(GROUP)
    v.check("group search")
    v.link(GROUP, results)
    v.expect_page(GROUP)
    v.check("group page")

    membership = v.page.locator("#membership")
    in_place(v, lambda: v.button("Rejoindre", membership),
             lambda: expect(membership).to_contain_text("tu en fais partie"))
    flash(v, "Bienvenue dans le groupe")
    v.check("group joined")

    title = f"Un covoiturage pour samedi ({name})"
    v.link("Ouvrir une discussion")
    v.expect_page("Ouvrir une discussion")
    v.check("new thread")
    v.fill("Titre", title)
    v.fill("Message", "Je peux emmener **trois personnes** depuis Échirolles.")
    v.button("Publier")
    v.expect_page(title)
    flash(v, "Discussion ouverte")
    expect(v.page.locator("article.post strong")).to_have_text("trois personnes")
    v.check("thread")

    answer = f"Merci, je viens avec toi. {name}"
    tail = v.page.locator("#tail")
    v.fill("Ta réponse", answer)
    in_place(v, lambda: v.button("Répondre"),
             lambda: expect(v.page.locator("article.reply")).to_contain_text(answer))
    expect(v.page.locator("#replies-title")).to_have_text("1 réponse")
    if not v.js:  # with htmx the reply itself is announced, in the replies' live region
        flash(v, "Réponse publiée")
    expect(tail.get_by_label("Ta réponse", exact=True)).to_have_value("")
    v.check("thread with reply")

    v.link(f"{GROUP} — Discussions")
    v.expect_page(f"{GROUP} — Discussions")
    expect(v.page.locator("main")).to_contain_text(THREAD)
    v.link("Propositions", v.page.get_by_role("navigation", name="Le groupe"))
    v.expect_page(f"{GROUP} — Propositions")
    v.link(PROPOSAL)
    v.expect_page(PROPOSAL)
    v.check("proposal")
    support = v.page.locator("#support")
    in_place(v, lambda: v.button("Je soutiens", support),
             lambda: expect(support).to_contain_text("tu la soutiens"))
    if not v.js:  # with htmx the support box, a live region, says it
        flash(v, "Merci pour ton soutien")
    expect(support.get_by_role("button", name="Retirer mon soutien")).to_have_attribute(
        "aria-pressed", "true")
    v.check("proposal supported")

    v.link(f"{GROUP} — Propositions")
    v.link(GROUP, v.page.locator("main h1"))
    v.expect_page(GROUP)
    membership = v.page.locator("#membership")
    in_place(v, lambda: v.button("Quitter le groupe", membership),
             lambda: expect(membership.get_by_role("button", name="Rejoindre")).to_be_visible())
    flash(v, "Tu as quitté le groupe")
    expect(membership).not_to_contain_text("tu en fais partie")
    v.check("group left")


def animateur_approves_and_hides(v, server) -> None:
    """Yann asks to join a closed group; its animateur accepts him from the requests page,
    then hides a rude reply with a reason, which the thread shows in its place."""
    name = NAMES[v.mode]
    group = closed_group(name)
    slug = server.query(select(Group.slug).where(Group.name == group))
    log_in_as(v, *APPLICANT)
    v.goto(f"/groups/{slug}")
    v.expect_page(group)
    expect(v.page.locator("main")).to_contain_text("rejoins-le pour lire ses discussions")
    membership = v.page.locator("#membership")
    in_place(v, lambda: v.button("Demander à rejoindre", membership),
             lambda: expect(membership).to_contain_text("ta demande attend une réponse"))
    v.check("group, request sent")
    log_out(v)

    log_in_as(v, member_email(v.mode), name)
    v.goto(f"/groups/{slug}")
    v.expect_page(group)
    expect(v.page.locator("#membership")).to_contain_text("tu animes ce groupe")
    v.link("1 demande à traiter")
    v.expect_page(f"{group} — Demandes pour rejoindre")
    v.check("group requests")
    row = v.page.locator("ul.rows li", has_text=APPLICANT[1])
    v.button("Accepter", row)
    v.expect_page(f"{group} — Demandes pour rejoindre")
    flash(v, f"{APPLICANT[1]} a rejoint le groupe.")
    expect(v.page.locator("ul.rows")).to_contain_text("Aucune demande en attente.")
    v.check("group request approved")

    v.link(group, v.page.locator("main h1"))
    v.expect_page(group)
    expect(v.page.locator("#membership")).to_contain_text("3 membres")
    v.link(CLOSED_THREAD)
    v.expect_page(CLOSED_THREAD)
    reply = v.page.locator("article.reply", has_text=RUDE_REPLY)
    v.link("Masquer", reply)
    v.expect_page("Masquer un message")
    v.check("hide a post")
    v.fill("Raison, affichée à la place du message", "Pas d'insultes entre nous.")
    v.button("Masquer")
    v.expect_page(CLOSED_THREAD)
    flash(v, "Message masqué.")
    replies = v.page.locator("article.reply")
    expect(replies).to_contain_text(
        "Message masqué par l'animation : Pas d'insultes entre nous.")
    expect(replies).not_to_contain_text(RUDE_REPLY)
    v.check("thread, post hidden")


JOURNEYS = [find_join_post_support_leave, animateur_approves_and_hides]
