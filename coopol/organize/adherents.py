"""Confirming a section's adhérents from its list: read, report (dry run), then apply at once.

The report sorts every line: matched (to confirm), already confirmed, unknown, and the
conflicts (another section's member, a malformed line, a duplicate). Applying reads the
addresses again and confirms every match in one transaction, or nothing.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import insert, select, update

from ..database import utcnow
from ..extensions import db
from ..profile.models import AuditLog, Member

MAX_BYTES = 1024 * 1024  # 1 MB: about 30,000 addresses
EMAIL = re.compile(r"^[^@\s,;\"'<>]+@[^@\s,;\"'<>]+\.[^@\s,;\"'<>]+$")
HEADERS = {"email", "e-mail", "mail", "courriel", "adresse", "adresse e-mail"}
_CHUNK = 500


class ImportError_(ValueError):
    """A file that cannot be read at all (too large, not text)."""


@dataclass
class Report:
    matched: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    other_section: list[str] = field(default_factory=list)
    malformed: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    lines: int = 0

    @property
    def conflicts(self) -> int:
        return len(self.other_section) + len(self.malformed) + len(self.duplicates)


def decode(data: bytes) -> str:
    """Read the file's text: UTF-8 (with or without BOM), else Windows-1252 (Excel)."""
    if len(data) > MAX_BYTES:
        raise ImportError_("too_large")
    if b"\x00" in data:
        raise ImportError_("binary")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_lines(text: str) -> list[tuple[int, str]]:
    """Return (line number, cell) for each non-empty line: the email column's cell."""
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    if "\t" in sample and sample.count("\t") > sample.count(delimiter):
        delimiter = "\t"
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    column, start = 0, 0
    if rows:
        header = [cell.strip().lower() for cell in rows[0]]
        named = [i for i, cell in enumerate(header) if cell in HEADERS]
        if named:
            column, start = named[0], 1
    out = []
    for number, row in enumerate(rows[start:], start=start + 1):
        if not any(cell.strip() for cell in row):
            continue
        out.append((number, row[column].strip() if column < len(row) else ""))
    return out


def analyse(section_id: int, lines: list[tuple[int, str]]) -> Report:
    """Sort the lines against the members: nothing is written."""
    report = Report(lines=len(lines))
    seen: set[str] = set()
    wanted = []
    for number, cell in lines:
        email = cell.lower()
        if not EMAIL.match(email) or len(email) > 254:
            report.malformed.append((number, cell[:120]))
        elif email in seen:
            report.duplicates.append((number, email))
        else:
            seen.add(email)
            wanted.append(email)
    found = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start:start + _CHUNK]
        found.update({row.email: row for row in db.session.execute(
            select(Member.email, Member.section_id, Member.status,
                   Member.adherent_confirmed_at)
            .where(Member.email.in_(chunk), Member.erased_at.is_(None)))})
    for email in wanted:
        row = found.get(email)
        if row is None:
            report.unknown.append(email)
        elif row.section_id != section_id:
            report.other_section.append(email)
        elif row.status == "adherent" and row.adherent_confirmed_at is not None:
            report.already.append(email)
        else:
            report.matched.append(email)
    return report


def apply(actor, section_id: int, emails: list[str]) -> Report:
    """Confirm every matched address as an adhérent of the section, in the caller's
    transaction; each confirmation is audited like a confirmation by hand."""
    report = analyse(section_id, [(n, e) for n, e in enumerate(emails, start=1)])
    now = utcnow()
    ids = []
    for start in range(0, len(report.matched), _CHUNK):
        chunk = report.matched[start:start + _CHUNK]
        ids += list(db.session.scalars(select(Member.id).where(
            Member.email.in_(chunk), Member.section_id == section_id)))
        db.session.execute(
            update(Member).where(Member.email.in_(chunk), Member.section_id == section_id)
            .values(status="adherent", adherent_confirmed_at=now))
    if ids:
        db.session.execute(insert(AuditLog), [
            {"actor_id": actor.id, "action": "adherent.confirm", "subject_id": member_id,
             "details": {"import": True}, "at": now} for member_id in ids])
    db.session.add(AuditLog(actor_id=actor.id, action="adherent.import", subject_id=None,
                            at=now, details={"section": section_id,
                                             "confirmed": len(ids),
                                             "already": len(report.already),
                                             "unknown": len(report.unknown),
                                             "conflicts": report.conflicts}))
    return report
