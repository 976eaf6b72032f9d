"""Sections for the benchmarks' temporary national databases (bench/organize.py,
bench/consultation_results.py): the communes cut in INSEE order into numbered sections."""

from sqlalchemy import insert, select

from coopol.extensions import db
from coopol.geo.models import Commune, Section


def make_sections(count: int) -> list[tuple[str, str, int]]:
    """Insert `count` sections; return (INSEE code, fédération, section id) for every commune."""
    communes = db.session.execute(select(Commune.insee, Commune.federation_code)
                                  .order_by(Commune.insee)).all()
    per_section = max(1, len(communes) // count)
    db.session.execute(insert(Section), [
        {"id": i + 1, "name": f"Section {i + 1}", "federation_code": communes[i * per_section][1]}
        for i in range(count)])
    return [(insee, federation, min(n // per_section, count - 1) + 1)
            for n, (insee, federation) in enumerate(communes)]
