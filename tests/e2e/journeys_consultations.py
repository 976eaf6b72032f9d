"""Issue 6's journeys: a member ranks their priorities and votes, once; after the close, the
Grenoble section secretary reads the section's results and writes its synthesis.

Run in every browsing mode (see tests/e2e/journeys.py): with JavaScript each tap on the ballot
is saved and swapped in place; without it the member fills the whole ballot in one form.
"""

from playwright.sync_api import expect

from tests.e2e.journeys import flash
from tests.e2e.journeys_groups import in_place, log_in_as, nav
from tests.e2e.seed import NAMES, VOTE, VOTE_OPTIONS, closed_title, member_email

# My priorities, first to third; the phone ballot picks them out of order and reorders.
MINE = (VOTE_OPTIONS[1], VOTE_OPTIONS[0], VOTE_OPTIONS[4])


def ballot_rows(v):
    return v.page.locator("#ballot ol.ballot li .pick")


def rank_by_taps(v) -> None:
    """Tap the first and third priorities, then the second, and move it up: each tap saved."""
    ballot = v.page.locator("#ballot")
    heading = ballot.locator("h2").first
    for count, title in enumerate((MINE[0], MINE[2], MINE[1]), start=1):
        in_place(v, lambda title=title: v.button(title, ballot.locator("ul.ballot")),
                 lambda count=count: expect(heading).to_have_text(
                     f"Mon classement ({count} sur 3)"))
    v.check("ballot, three taps")
    in_place(v, lambda: v.button(f"Monter {MINE[1]}", ballot),
             lambda: expect(ballot_rows(v)).to_have_text(list(MINE)))


def rank_in_one_form(v) -> None:
    """Without JavaScript: open the whole ballot, give three ranks, send it."""
    v.page.locator("summary", has_text="Remplir tout le bulletin d'un coup").click()
    for rank, title in enumerate(MINE, start=1):
        v.choose(title, str(rank))
    v.button("Enregistrer mon vote")
    v.expect_page(VOTE)
    flash(v, "Ton vote est enregistré. Tu peux le changer jusqu'à la clôture.")
    expect(ballot_rows(v)).to_have_text(list(MINE))


def participants(v) -> tuple[str, int]:
    """From the ballot, open who took part; return the count sentence and how often my name
    is listed."""
    v.link("Retour à la consultation")
    v.expect_page(VOTE)
    v.link("Qui a participé")
    v.expect_page("Qui a participé")
    sentence = v.page.locator("main > p").nth(1).inner_text()
    mine = v.page.locator("#participants li", has_text=NAMES[v.mode]).count()
    return sentence, mine


def rank_and_vote_once(v, server) -> None:
    log_in_as(v, member_email(v.mode), NAMES[v.mode])
    nav(v, "Consultations")
    v.expect_page("Consultations")
    v.check("consultations")
    v.link(VOTE, v.page.locator("section", has=v.page.locator("#open-title")))
    v.expect_page(VOTE)
    v.check("consultation, vote open")
    v.link("Voter")
    v.expect_page(VOTE)
    v.check("ballot")
    if v.js:
        rank_by_taps(v)
    else:
        rank_in_one_form(v)
    expect(v.page.locator("#ballot")).to_contain_text("Seul·e toi vois ton bulletin")
    v.check("ballot cast")

    sentence, mine = participants(v)
    assert mine == 1, f"{NAMES[v.mode]} is listed {mine} times"
    v.check("participation")
    v.link(VOTE, v.page.locator("main"))
    expect(v.page.get_by_role("link", name="Changer mon vote", exact=True)).to_be_visible()
    v.link("Changer mon vote")
    v.expect_page(VOTE)
    if v.js:  # a change of mind replaces the ballot
        in_place(v, lambda: v.button(f"Retirer {MINE[2]}"),
                 lambda: expect(ballot_rows(v)).to_have_text(list(MINE[:2])))
    else:
        v.page.locator("summary", has_text="Remplir tout le bulletin d'un coup").click()
        v.choose(MINE[2], "—")
        v.button("Enregistrer mon vote")
        flash(v, "Ton vote est enregistré")
        expect(ballot_rows(v)).to_have_text(list(MINE[:2]))
    assert participants(v) == (sentence, 1), "a second ballot was counted"


def secretary_writes_the_synthesis(v, server) -> None:
    """After the close, Grenoble's secretary reads the section's figures and submits a report."""
    title = closed_title(v.mode)
    log_in_as(v, "secretaire.grenoble@demo.coopol.fr", "Nadia Benali")
    nav(v, "Consultations")
    v.expect_page("Consultations")
    todo = v.page.locator("section", has=v.page.locator("#todo-title"))
    v.link(f"{title} — Grenoble", todo)
    v.expect_page("Section Grenoble")
    expect(v.page.locator("figure.chart figcaption")).to_have_text(
        "Résultats de la section — 6 bulletins")
    expect(v.page.locator("table.figures tbody tr")).to_have_count(len(VOTE_OPTIONS))
    v.check("section results")

    v.fill("Synthèse (Markdown)", "La section place **l'école de formation** en tête.")
    v.button("Enregistrer le brouillon")
    v.expect_page("Section Grenoble")
    flash(v, "Brouillon enregistré.")
    expect(v.page.locator("#synthesis")).to_contain_text("Brouillon enregistré le")
    expect(v.page.get_by_label("Synthèse (Markdown)", exact=True)).to_contain_text(
        "l'école de formation")
    v.check("section synthesis, draft")
    v.button("Soumettre")
    v.expect_page("Section Grenoble")
    flash(v, "Synthèse soumise.")
    synthesis = v.page.locator("#synthesis")
    expect(synthesis).to_contain_text("Soumise le")
    expect(synthesis.locator("strong")).to_have_text("l'école de formation")
    expect(synthesis).to_contain_text("6 bulletins")
    v.check("section synthesis, submitted")

    v.link(title)
    v.expect_page(title)
    v.link("Résultats")
    v.expect_page("Résultats")
    v.check("results")


JOURNEYS = [rank_and_vote_once, secretary_writes_the_synthesis]
