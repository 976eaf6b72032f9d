"""Adhérents confirmed from the section's list: dry run, report, apply all or nothing; the
audit log for national admins; who contacted me, in the member's data."""

import io

import pytest
from sqlalchemy import func, select

from coopol.extensions import db
from coopol.organize import adherents
from coopol.profile import privacy
from coopol.profile.models import AuditLog, Member
from tests.conftest import CERGY, ECHIROLLES, login, make_member, make_section, reload
from tests.organize_factories import make_consenting, make_mobilisation


@pytest.fixture
def grenoble():
    return make_section("Grenoble", "38")


@pytest.fixture
def secretary(grenoble):
    return make_member(roles=[("secretary", grenoble)])


def _upload(client, section, content: bytes, name="liste.csv"):
    return client.post("/organize/adherents/import", data={
        "section": str(section.id), "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data")


def _apply_data(text: str) -> dict:
    """Read the hidden fields of the report's apply form."""
    import re

    section = re.search(r'name="section" type="hidden" value="(\d+)"', text)
    emails = re.search(r'name="emails" type="hidden" value="([^"]*)"', text)
    return {"section": section.group(1), "emails": emails.group(1)}


def test_dry_run_reports_then_apply_confirms_at_once(client, grenoble, secretary):
    pending = make_member(email="Lea@Exemple.fr", status="adherent", adherent_confirmed=False)
    sympathisant = make_member(email="sam@exemple.fr")
    make_member(email="deja@exemple.fr", status="adherent")
    make_section("Échirolles", "38", [ECHIROLLES])
    other = make_member(email="autre@exemple.fr", commune=ECHIROLLES, status="adherent",
                        adherent_confirmed=False)
    content = ("Nom;Email\nLéa;LEA@exemple.fr\nSam;sam@exemple.fr\nDéjà;deja@exemple.fr\n"
               "Autre;autre@exemple.fr\nInconnu;inconnu@exemple.fr\nCassé;pas-une-adresse\n"
               "Encore;lea@EXEMPLE.fr\n\n").encode()
    login(client, secretary)
    report = _upload(client, grenoble, content)
    assert report.status_code == 200
    text = report.text
    for line in ("À confirmer : 2", "Déjà confirmé·es : 1", "Inconnu·es de Coopol : 1",
                 "Membres d'une autre section : 1", "Lignes mal formées : 1",
                 "Doublons : 1", "7 lignes lues"):
        assert line in text, line
    assert "ligne 7" in text and "pas-une-adresse" in text and "ligne 8" in text
    # Nothing is written by the dry run.
    assert reload(Member, pending.id).adherent_confirmed_at is None
    applied = client.post("/organize/adherents/import/apply", data=_apply_data(text))
    assert applied.status_code == 200 and "Confirmé·es : 2" in applied.text
    for member in (pending, sympathisant):
        member = reload(Member, member.id)
        assert member.is_confirmed_adherent
    assert reload(Member, other.id).adherent_confirmed_at is None
    confirmations = db.session.scalar(select(func.count(AuditLog.id)).where(
        AuditLog.action == "adherent.confirm", AuditLog.actor_id == secretary.id))
    assert confirmations == 2
    summary = db.session.scalar(select(AuditLog).where(AuditLog.action == "adherent.import"))
    assert summary.details == {"section": grenoble.id, "confirmed": 2, "already": 1,
                               "unknown": 1, "conflicts": 3}


def test_apply_reads_the_list_again_and_keeps_to_the_section(client, grenoble, secretary):
    make_section("Cergy", "95", [CERGY])
    far = make_member(email="loin@exemple.fr", commune=CERGY, status="adherent",
                      adherent_confirmed=False)
    login(client, secretary)
    # A crafted apply naming another section's member confirms nobody.
    response = client.post("/organize/adherents/import/apply", data={
        "section": str(grenoble.id), "emails": "loin@exemple.fr"})
    assert response.status_code == 200 and "Confirmé·es : 0" in response.text
    assert reload(Member, far.id).adherent_confirmed_at is None
    # And a section outside the secretary's scope is refused.
    cergy = db.session.scalar(select(Member.section_id).where(Member.id == far.id))
    assert client.post("/organize/adherents/import/apply", data={
        "section": str(cergy), "emails": "loin@exemple.fr"}).status_code == 403
    assert _upload(client, reload(type(grenoble), cergy), b"loin@exemple.fr").status_code == 403


def test_nothing_is_half_applied_when_applying_fails(client, grenoble, secretary, monkeypatch):
    members = [make_member(email=f"m{n}@exemple.fr", status="adherent",
                           adherent_confirmed=False) for n in range(3)]
    monkeypatch.setattr(adherents, "_CHUNK", 2)  # two batches of updates
    real_insert = adherents.insert

    def failing_insert(*args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(adherents, "insert", failing_insert)
    login(client, secretary)
    with pytest.raises(RuntimeError):
        client.post("/organize/adherents/import/apply", data={
            "section": str(grenoble.id), "emails": " ".join(m.email for m in members)})
    monkeypatch.setattr(adherents, "insert", real_insert)
    assert all(reload(Member, m.id).adherent_confirmed_at is None for m in members)


@pytest.mark.parametrize(("content", "message"), [
    (None, "Choisis le fichier"),
    (b"", "aucune adresse"),
    (b"\n\n", "aucune adresse"),
    (b"\x00\x01\x02binaire", "pas du texte"),
    (b"a@exemple.fr\n" * 90_000, "dépasse 1 Mo"),
])
def test_unreadable_files_get_a_clear_message(client, grenoble, secretary, content, message):
    login(client, secretary)
    if content is None:
        response = client.post("/organize/adherents/import", data={"section": str(grenoble.id)})
    else:
        response = _upload(client, grenoble, content)
    assert response.status_code == 422
    assert message in response.text


def test_windows_encoded_list_with_a_header_is_read(client, grenoble, secretary):
    make_member(email="eloise@exemple.fr", status="adherent", adherent_confirmed=False)
    login(client, secretary)
    content = "prénom,courriel\nÉloïse,eloise@exemple.fr\n".encode("cp1252")
    assert "À confirmer : 1" in _upload(client, grenoble, content).text


def test_organisers_cannot_import(client, grenoble):
    from tests.events_factories import make_organiser

    login(client, make_organiser(grenoble))
    assert client.get("/organize/adherents/import").status_code == 403


def test_audit_log_for_national_admins_filtered_by_action(app, client, grenoble, monkeypatch):
    make_consenting()
    organiser = make_member(name="Orga", roles=[("organiser", grenoble)])
    make_mobilisation(organiser, subject="Collage")
    login(client, organiser)
    client.get("/organize/members")
    admin = make_member(roles=[("admin", None)])
    login(client, admin)
    page = client.get("/organize/audit")
    assert page.status_code == 200
    assert "Mobilisation envoyée" in page.text and "Noms affichés" in page.text
    assert "Orga" in page.text
    only = client.get("/organize/audit?action=organize.mobilise", headers={"HX-Request": "true"})
    assert only.text.lstrip().startswith('<section id="entries"')
    assert "Mobilisation envoyée" in only.text and "Noms affichés" not in only.text
    assert "Collage" in only.text
    assert client.get("/organize/audit?action=%3Cscript%3E").status_code == 200
    login(client, make_member(roles=[("secretary", grenoble)]))
    assert client.get("/organize/audit").status_code == 403


def test_member_data_and_erasure_cover_mobilisations(grenoble):
    lea = make_consenting(email="lea@exemple.fr")
    organiser = make_member(name="Orga", roles=[("organiser", grenoble)])
    make_mobilisation(organiser, subject="Collage")
    data = privacy.member_data(lea)
    assert data["mobilisations_recues"][0]["objet"] == "Collage"
    assert data["mobilisations_recues"][0]["expediteur"] == "Orga"
    assert privacy.member_data(organiser)["mobilisations_envoyees"][0]["destinataires"] == 1
    privacy.erase(lea)
    db.session.commit()
    assert privacy.member_data(reload(Member, lea.id))["mobilisations_recues"] == []
