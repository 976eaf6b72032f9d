"""Geography queries and loading: postal code lookup, commune search, sections."""

import csv
import gzip
import re
from pathlib import Path

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import selectinload

from ..database import fold, like_prefix
from ..extensions import db
from .models import Commune, Epci, Federation, PostalCode, Region, Section

DATA = Path(__file__).parent / "data"
POSTAL_CODE = re.compile(r"^\d{5}$")


def _rows(name: str):
    path = DATA / name
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, delimiter="\t")


def load_geography(departements: set[str] | None = None) -> dict[str, int]:
    """Load the shipped geography into empty tables, optionally only some départements."""
    if db.session.scalar(select(func.count()).select_from(Commune)):
        return {}
    keep = (lambda code: code in departements) if departements else (lambda code: True)
    regions = [{"code": r["code"], "name": r["name"]} for r in _rows("regions.tsv")]
    federations = [
        {"code": d["code"], "name": d["name"], "region_code": d["region"] or None}
        for d in _rows("departements.tsv") if keep(d["code"])
    ]
    epcis = [{"code": e["code"], "name": e["name"]} for e in _rows("epci.tsv")]
    communes, postal_codes = [], []
    parents = set()
    for row in _rows("communes.tsv.gz"):
        if not keep(row["departement"]):
            continue
        communes.append({
            "insee": row["insee"],
            "name": row["name"],
            "search_name": fold(row["name"]),
            "federation_code": row["departement"],
            "epci_code": row["epci"] or None,
            "population": int(row["population"] or 0),
            "parent_insee": row["parent"] or None,
            "has_arrondissements": False,
        })
        parents.add(row["parent"])
        postal_codes.extend(
            {"code": code, "commune_insee": row["insee"]}
            for code in sorted(set(row["postal_codes"].split()))
        )
    for commune in communes:
        commune["has_arrondissements"] = commune["insee"] in parents
    for model, rows in ((Region, regions), (Federation, federations), (Epci, epcis),
                        (Commune, communes), (PostalCode, postal_codes)):
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[start:start + 5000])
    db.session.commit()
    return {"régions": len(regions), "fédérations": len(federations), "EPCI": len(epcis),
            "communes": len(communes), "codes postaux": len(postal_codes)}


def _offered():
    """Communes a member can live in: not a city that is split into arrondissements."""
    return select(Commune).where(Commune.has_arrondissements.is_(False))


def communes_for_postal_code(code: str) -> list[Commune]:
    """Return the communes that a postal code serves, most populous first."""
    if not POSTAL_CODE.match(code or ""):
        return []
    query = (
        _offered().join(PostalCode).where(PostalCode.code == code)
        .options(selectinload(Commune.postal_codes))
        .order_by(Commune.population.desc(), Commune.name)
    )
    return list(db.session.scalars(query))


def search_communes(text: str, limit: int = 12) -> list[Commune]:
    """Find communes by postal code (or its start) or by the start of their name."""
    text = (text or "").strip()[:80]
    if not text:
        return []
    if text.isdigit():
        if len(text) < 2:
            return []
        query = _offered().where(
            Commune.insee.in_(
                select(PostalCode.commune_insee).where(
                    PostalCode.code.like(like_prefix(text), escape="\\")
                )
            )
        )
    else:
        folded = fold(text)
        if len(folded) < 2:
            return []
        query = _offered().where(Commune.search_name.like(like_prefix(folded), escape="\\"))
    query = query.options(selectinload(Commune.postal_codes)).order_by(
        Commune.population.desc(), Commune.name
    ).limit(limit)
    return list(db.session.scalars(query))


def get_commune(insee: str | None) -> Commune | None:
    """Return an offered commune by INSEE code, or None."""
    if not insee:
        return None
    commune = db.session.get(Commune, insee)
    if commune is None or commune.has_arrondissements:
        return None
    return commune


def federations() -> list[Federation]:
    """Return every fédération, by code."""
    return list(db.session.scalars(select(Federation).order_by(Federation.code)))


def sections_query(federation_code: str | None = None):
    """Return the query of sections, by fédération and name."""
    query = select(Section).options(selectinload(Section.federation))
    if federation_code:
        query = query.where(Section.federation_code == federation_code)
    return query.order_by(Section.federation_code, Section.name)


def sections(federation_code: str | None = None) -> list[Section]:
    """Return the sections of one fédération (a bounded list), by name."""
    return list(db.session.scalars(sections_query(federation_code)))


def resolve_communes(text: str) -> tuple[list[Commune], list[str]]:
    """Turn INSEE codes and postal codes into communes; return them and the codes not understood.

    A code is read as `insee:38185` or `cp:38000`; a bare code is accepted only when it cannot
    be both (38130 is Échirolles' postal code and another commune's INSEE code).
    """
    found: dict[str, Commune] = {}
    unknown = []
    for token in re.split(r"[\s,;]+", text or ""):
        if not token:
            continue
        kind, _sep, code = token.lower().rpartition(":")
        by_insee = [c for c in [get_commune(code)] if c] if kind in ("", "insee") else []
        by_postal = communes_for_postal_code(code) if kind in ("", "cp") else []
        if kind == "" and by_insee and by_postal and by_insee[0] not in by_postal:
            unknown.append(token)
            continue
        matches = by_insee or by_postal
        if not matches:
            unknown.append(token)
        for commune in matches:
            found[commune.insee] = commune
    return sorted(found.values(), key=lambda c: c.name), unknown


def save_section(section: Section, name: str, communes: list[Commune]) -> Section:
    """Give a section its name and communes; communes it lost no longer have a section."""
    section.name = name
    if section.id is None:
        db.session.add(section)
        db.session.flush()
    wanted = {c.insee for c in communes}
    db.session.execute(
        update(Commune)
        .where(Commune.section_id == section.id, Commune.insee.not_in(wanted or {""}))
        .values(section_id=None)
    )
    if wanted:
        db.session.execute(
            update(Commune).where(Commune.insee.in_(wanted)).values(section_id=section.id)
        )
    return section


def section_name_taken(name: str, exclude_id: int | None = None) -> bool:
    """Tell whether another section already has this name (case-insensitive)."""
    query = select(Section.id).where(func.lower(Section.name) == name.strip().lower())
    if exclude_id is not None:
        query = query.where(Section.id != exclude_id)
    return db.session.scalar(query) is not None
