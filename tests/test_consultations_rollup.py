"""Roll-up: section meetings and syntheses, the fédération's follow-up, the national report."""

import pytest
from sqlalchemy import func, select

from coopol import mail
from coopol.consultations.models import Debate, Synthesis
from coopol.extensions import db
from tests.conftest import CERGY, ECHIROLLES, login, make_member, make_section
from tests.consultations_factories import close_now, make_consultation, option_ids, vote


@pytest.fixture
def closed(section):
    """A national consultation closed with 5 ballots from Grenoble, 5 from Échirolles."""
    echirolles = make_section("Échirolles", "38", [ECHIROLLES])
    consultation = make_consultation("vote", max_choices=2)
    for _ in range(5):
        vote(consultation, make_member(), ["Santé", "École"])
        vote(consultation, make_member(commune=ECHIROLLES), ["Logement", "Transports"])
    close_now(consultation)
    return consultation, section, echirolles


def syntheses() -> int:
    return db.session.scalar(select(func.count()).select_from(Synthesis))


def test_section_secretary_saves_a_draft_then_submits_with_its_figures(client, closed):
    consultation, section, _echirolles = closed
    secretary = make_member(roles=[("secretary", section)])
    login(client, secretary)
    todo = client.get("/consultations/").get_data(as_text=True)
    assert "Synthèses à écrire" in todo and f"/sections/{section.id}" in todo
    url = f"/consultations/{consultation.id}/sections/{section.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Résultats de la section" in page and "<svg" in page
    assert client.post(url, data={"body": "Brouillon", "action": "draft"}).status_code == 303
    assert db.session.scalar(select(Synthesis.status)) == "draft"
    assert client.post(url, data={"body": "La santé **d'abord**.", "action": "submit"}
                       ).status_code == 303
    synthesis = db.session.scalar(select(Synthesis))
    db.session.refresh(synthesis)
    assert synthesis.status == "submitted" and synthesis.submitted_at is not None
    assert synthesis.figures["ballots"] == 5
    assert synthesis.figures["scores"][0][0] == option_ids(consultation)["Santé"]
    again = client.post(url, data={"body": "Changée", "action": "draft"})
    assert again.status_code == 409 and "déjà soumise" in again.get_data(as_text=True)
    assert "Synthèses à écrire" not in client.get("/consultations/").get_data(as_text=True)


def test_empty_synthesis_cannot_be_submitted(client, closed):
    consultation, section, _e = closed
    login(client, make_member(roles=[("secretary", section)]))
    response = client.post(f"/consultations/{consultation.id}/sections/{section.id}",
                           data={"body": " ", "action": "submit"})
    assert response.status_code == 422 and "Écris la synthèse" in response.get_data(as_text=True)
    assert syntheses() == 0


def test_secretary_cannot_write_for_another_section(client, closed):
    consultation, section, echirolles = closed
    login(client, make_member(roles=[("secretary", section)]))
    url = f"/consultations/{consultation.id}/sections/{echirolles.id}"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"body": "Intrus", "action": "submit"}).status_code == 403
    assert client.post(f"{url}/debate", data={"held_on": "2030-01-01", "attendance": "3"}
                       ).status_code == 403
    assert client.get(f"/consultations/{consultation.id}/federations/38").status_code == 403
    assert syntheses() == 0


def test_synthesis_waits_for_the_close(client, section):
    consultation = make_consultation("vote")
    login(client, make_member(roles=[("secretary", section)]))
    response = client.post(f"/consultations/{consultation.id}/sections/{section.id}",
                           data={"body": "Trop tôt", "action": "submit"})
    assert response.status_code == 409 and syntheses() == 0


def test_section_secretary_records_the_meeting_during_the_vote(client, section):
    consultation = make_consultation("vote", max_choices=2)
    ids = option_ids(consultation)
    login(client, make_member(roles=[("secretary", section)]))
    url = f"/consultations/{consultation.id}/sections/{section.id}/debate"
    bad = client.post(url, data={"held_on": "2030-01-01", "attendance": "12",
                                 f"rank-{ids['Santé']}": "1", f"rank-{ids['École']}": "1"})
    assert bad.status_code == 422 and "même rang" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Debate)) == 0
    good = client.post(url, data={"held_on": "2030-01-01", "attendance": "12",
                                  f"rank-{ids['Santé']}": "2", f"rank-{ids['École']}": "1"})
    assert good.status_code == 303
    debate = db.session.scalar(select(Debate))
    assert debate.attendance == 12 and debate.choices == {str(ids["École"]): 1,
                                                          str(ids["Santé"]): 2}


def test_federation_secretary_follows_sections_reminds_late_ones_and_submits(client, closed,
                                                                             sent_mail):
    consultation, section, echirolles = closed
    writer = make_member(roles=[("secretary", section)])
    late = make_member(email="retard@exemple.fr", commune=ECHIROLLES,
                       roles=[("secretary", echirolles)])
    assert late.id
    login(client, writer)
    client.post(f"/consultations/{consultation.id}/sections/{section.id}",
                data={"body": "Grenoble veut la santé.", "action": "submit"})
    login(client, make_member(roles=[("secretary", "38")]))
    url = f"/consultations/{consultation.id}/federations/38"
    page = client.get(url).get_data(as_text=True)
    assert "1 sur 2 sections ont soumis" in page and "Grenoble veut la santé." in page
    assert client.post(f"{url}/remind").status_code == 303
    mail.work_once()
    assert [m["To"] for m in sent_mail] == ["retard@exemple.fr"]
    assert f"/sections/{echirolles.id}" in sent_mail[0].get_content()
    assert client.post(url, data={"body": "L'Isère : santé et logement.", "action": "submit"}
                       ).status_code == 303
    assert db.session.scalar(select(Synthesis.status).where(Synthesis.level == "federation")) \
        == "submitted"


def test_national_report_for_admins_with_exports(client, closed):
    consultation, section, _e = closed
    login(client, make_member(roles=[("secretary", section)]))
    client.post(f"/consultations/{consultation.id}/sections/{section.id}",
                data={"body": "Synthèse de Grenoble", "action": "submit"})
    login(client, make_member(roles=[("secretary", "38")]))
    client.post(f"/consultations/{consultation.id}/federations/38",
                data={"body": "Synthèse isèroise", "action": "submit"})
    login(client, make_member(roles=[("admin", None)]))
    page = client.get(f"/consultations/{consultation.id}/report").get_data(as_text=True)
    for text in ("Participant·es en ligne", "Par fédération", "Synthèse isèroise",
                 "Synthèse de Grenoble", "organisateur·ices", "Échirolles",
                 "les plus éloignées"):
        assert text in page, text
    csv = client.get(f"/consultations/{consultation.id}/report.csv")
    assert csv.mimetype == "text/csv" and "national,,10," in csv.get_data(as_text=True)
    export = client.get(f"/consultations/{consultation.id}/report.html")
    html = export.get_data(as_text=True)
    assert "attachment" in export.headers["Content-Disposition"]
    assert "<style>" in html and "<link" not in html and "<script" not in html
    assert "Synthèse de Grenoble" in html


def test_members_see_the_public_part_of_the_report_only(client, closed):
    consultation, _section, _e = closed
    login(client, make_member())
    page = client.get(f"/consultations/{consultation.id}/report").get_data(as_text=True)
    assert "Résultat d" in page and "Par fédération" not in page
    assert client.get(f"/consultations/{consultation.id}/report.csv").status_code == 403
    assert client.get(f"/consultations/{consultation.id}/report.html").status_code == 403
    other = make_member(commune=CERGY)
    login(client, other)
    assert client.get(f"/consultations/{consultation.id}/results").status_code == 200
