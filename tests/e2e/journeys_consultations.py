"""Issue 6's journeys: a member proposes a priority, ranks three then five options and changes
their mind; after the close, the Grenoble section secretary writes the section's synthesis, the
Isère fédération secretary writes theirs, and the national admin exports the national report.

Run in every browsing mode (see tests/e2e/journeys.py): with JavaScript each tap on the ballot
is saved and swapped in place; without it the member fills the whole ballot in one form.
"""

import csv
import io

from playwright.sync_api import expect

from tests.e2e.journeys import flash
from tests.e2e.journeys_groups import in_place, log_in_as, nav
from tests.e2e.seed import NAMES, VOTE, VOTE_OPTIONS, closed_title, member_email
from tests.e2e.seed_consultation_phases import (
    CONTRIBUTIONS,
    FEDERATION_SECRETARY,
    RANK_FIVE,
    RANK_FIVE_OPTIONS,
)

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


def open_consultation(v, title: str) -> None:
    """From the main navigation, open a consultation listed among the open ones."""
    nav(v, "Consultations")
    v.expect_page("Consultations")
    v.link(title, v.page.locator("section", has=v.page.locator("#open-title")))
    v.expect_page(title)


def propose_a_priority(v) -> None:
    """During the contributions phase: an empty proposal is refused, a real one waits."""
    title = f"Un atelier d'écriture militante ({NAMES[v.mode]})"
    open_consultation(v, CONTRIBUTIONS)
    expect(v.page.locator("main .badge").first).to_have_text("Propositions ouvertes")
    v.check("consultation, contributions open")
    v.button("Proposer")
    v.expect_page(CONTRIBUTIONS)
    flash(v, "Vérifie ta proposition.")
    expect(v.page.locator("#propose-title ~ form")).to_contain_text("Donne un titre.")
    v.check("proposal refused")
    v.fill("Ta priorité, en une ligne", title)
    v.fill("Explique en quelques mots", "Apprendre à écrire un tract en une soirée.")
    v.button("Proposer")
    v.expect_page(CONTRIBUTIONS)
    flash(v, "Merci ! Ta proposition attend l'avis des organisateur·ices.")
    mine = v.page.locator("section", has=v.page.locator("#mine-title"))
    expect(mine.locator("li")).to_have_text(f"{title} — en attente de tri")
    expect(v.page.locator("#options-title ~ ol")).not_to_contain_text(title)
    v.check("proposal pending")


# Five of six options, in my order; then I drop my third and put the sixth fourth.
FIVE = tuple(RANK_FIVE_OPTIONS[i] for i in (2, 0, 4, 1, 3))
CHANGED = tuple(RANK_FIVE_OPTIONS[i] for i in (2, 0, 1, 5, 3))


def rank_five(v) -> None:
    ballot = v.page.locator("#ballot")
    if v.js:  # five taps, each saved and swapped in
        heading = ballot.locator("h2").first
        for count, title in enumerate(FIVE, start=1):
            in_place(v, lambda title=title: v.button(title, ballot.locator("ul.ballot")),
                     lambda count=count: expect(heading).to_have_text(
                         f"Mon classement ({count} sur 5)"))
        expect(ballot_rows(v)).to_have_text(list(FIVE))
        return
    v.page.locator("summary", has_text="Remplir tout le bulletin d'un coup").click()
    for rank, title in enumerate(FIVE, start=1):
        v.choose(title, str(rank))
    v.button("Enregistrer mon vote")
    v.expect_page(RANK_FIVE)
    flash(v, "Ton vote est enregistré.")
    expect(ballot_rows(v)).to_have_text(list(FIVE))


def change_my_mind(v) -> None:
    """Drop the third choice, add the sixth option and move it up to fourth."""
    ballot = v.page.locator("#ballot")
    if v.js:
        in_place(v, lambda: v.button(f"Retirer {FIVE[2]}", ballot),
                 lambda: expect(ballot_rows(v)).to_have_count(4))
        in_place(v, lambda: v.button(CHANGED[3], ballot.locator("ul.ballot")),
                 lambda: expect(ballot_rows(v)).to_have_count(5))
        in_place(v, lambda: v.button(f"Monter {CHANGED[3]}", ballot),
                 lambda: expect(ballot_rows(v)).to_have_text(list(CHANGED)))
        return
    v.page.locator("summary", has_text="Remplir tout le bulletin d'un coup").click()
    v.choose(FIVE[2], "—")
    v.choose(CHANGED[2], "3")
    v.choose(CHANGED[3], "4")
    v.button("Enregistrer mon vote")
    v.expect_page(RANK_FIVE)
    flash(v, "Ton vote est enregistré.")
    expect(ballot_rows(v)).to_have_text(list(CHANGED))


def propose_then_rank_five(v, server) -> None:
    """A member proposes a priority, then ranks five options elsewhere and changes their mind."""
    log_in_as(v, member_email(v.mode), NAMES[v.mode])
    propose_a_priority(v)

    open_consultation(v, RANK_FIVE)
    v.link("Voter")
    v.expect_page(RANK_FIVE)
    rank_five(v)
    v.check("ballot, five ranked")
    v.link("Retour à la consultation")
    v.expect_page(RANK_FIVE)
    v.link("Changer mon vote")
    v.expect_page(RANK_FIVE)
    expect(ballot_rows(v)).to_have_text(list(FIVE))  # what was saved, read back
    change_my_mind(v)
    v.check("ballot, mind changed")
    v.link("Retour à la consultation")
    v.link("Changer mon vote")
    v.expect_page(RANK_FIVE)
    expect(ballot_rows(v)).to_have_text(list(CHANGED))


def federation_secretary_submits(v, server) -> None:
    """After the close, the Isère secretary opens the fédération page and submits its synthesis."""
    title = closed_title(v.mode)
    log_in_as(v, *FEDERATION_SECRETARY)
    nav(v, "Consultations")
    v.expect_page("Consultations")
    v.link(title, v.page.locator("#listing"))
    v.expect_page(title)
    v.link("Fédération Isère (38) : suivi et synthèse")
    v.expect_page("Fédération Isère (38)")
    expect(v.page.locator("figure.chart figcaption")).to_have_text(
        "Résultats de la fédération — 6 bulletins")
    expect(v.page.locator("#sections-title ~ ul li summary").first).to_contain_text("Grenoble")
    v.check("fédération page")

    v.fill("Synthèse (Markdown)", "L'Isère retient **le local ouvert le samedi**.")
    v.button("Soumettre")
    v.expect_page("Fédération Isère (38)")
    flash(v, "Synthèse soumise.")
    synthesis = v.page.locator("#synthesis")
    expect(synthesis).to_contain_text("Soumise le")
    expect(synthesis).to_contain_text(FEDERATION_SECRETARY[1])
    expect(synthesis.locator("strong")).to_have_text("le local ouvert le samedi")
    expect(synthesis).to_contain_text("6 bulletins")
    expect(synthesis.get_by_role("button", name="Soumettre")).to_have_count(0)
    v.check("fédération synthesis, submitted")


# Six ballots (seed.py): three rank options 1, 2, 3 and three rank 2, 3, 4; Borda 3-2-1.
NATIONAL = {VOTE_OPTIONS[1]: ("15", "3"), VOTE_OPTIONS[0]: ("9", "3"),
            VOTE_OPTIONS[2]: ("9", "0"), VOTE_OPTIONS[3]: ("3", "0")}


def download(v, name: str) -> str:
    """Follow an export link as the member would; return the downloaded file's text."""
    with v.page.expect_download() as info:
        v.link(name)
    return open(info.value.path(), encoding="utf-8").read()


def admin_exports_the_report(v, server) -> None:
    """After the close, the national admin reads the report and exports it as CSV and HTML."""
    title = closed_title(v.mode)
    log_in_as(v, "admin@demo.coopol.fr", "Camille Admin")
    nav(v, "Consultations")
    v.expect_page("Consultations")
    v.link(title, v.page.locator("section", has=v.page.locator("#managed-title")))
    v.expect_page(title)
    v.link("Rapport")
    v.expect_page(f"Rapport : {title}")
    national = v.page.locator("section", has=v.page.locator("#national-title"))
    first = national.locator("table tbody tr").first
    expect(first.locator("th")).to_have_text(VOTE_OPTIONS[1])
    expect(first.locator("td").nth(1)).to_have_text("15")
    expect(v.page.locator("#figures-title ~ dl")).to_contain_text("6 (")
    v.check("national report")

    exported = download(v, "Exporter en CSV")
    rows = list(csv.DictReader(io.StringIO(exported)))
    national = {r["option"]: (r["points"], r["premiers_choix"])
                for r in rows if r["niveau"] == "national"}
    assert {k: national[k] for k in NATIONAL} == NATIONAL, national
    assert {r["bulletins"] for r in rows if r["niveau"] == "national"} == {"6"}
    assert any(r["niveau"] == "federation" and r["zone"].startswith("Isère") for r in rows)

    html = download(v, "Exporter en un fichier HTML")
    assert "<style" in html and "stylesheet" not in html and "<script" not in html
    assert f"Rapport : {title}" in html and VOTE_OPTIONS[1] in html

    for path, kind in (("report.csv", "text/csv"), ("report.html", "text/html")):
        answer = v.page.request.get(v.page.url.replace("/report", "/" + path))
        assert answer.status == 200 and answer.headers["content-type"].startswith(kind)
        assert answer.headers["content-disposition"].startswith("attachment; filename=")
    assert v.page.url.endswith("/report"), "an export does not leave the report"


JOURNEYS = [rank_and_vote_once, secretary_writes_the_synthesis, propose_then_rank_five,
            federation_secretary_submits, admin_exports_the_report]
