"""Build the compact French geography files shipped in ``coopol/geo/data/``.

The source is the npm package ``@etalab/decoupage-administratif`` (JSON files
derived from INSEE's Code officiel géographique, DGCL's EPCI list and La Poste's
postal code base). Run this once whenever the package is upgraded::

    npm install --prefix /tmp/geo @etalab/decoupage-administratif@6.0.0
    python scripts/build_geo_data.py \\
        /tmp/geo/node_modules/@etalab/decoupage-administratif/data

An optional second argument overrides the output directory (default:
``coopol/geo/data`` next to this script's repository root).

Outputs (UTF-8, tab-separated, header line first, sorted by code):

* ``communes.tsv.gz``: ``insee name postal_codes departement region epci
  population parent`` for every current commune and every municipal
  arrondissement (Paris, Lyon, Marseille). ``postal_codes`` is
  space-separated; ``epci`` is the SIREN of the commune's EPCI (arrondissements
  inherit their parent commune's); ``parent`` is the parent commune's INSEE
  code for arrondissements. Gzipped with ``mtime=0`` so output is
  deterministic.
* ``departements.tsv``: ``code name region``.
* ``regions.tsv``: ``code name``.
* ``epci.tsv``: ``code name`` (SIREN, name).
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

KEPT_TYPES = ("commune-actuelle", "arrondissement-municipal")
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "coopol" / "geo" / "data"


def _clean(value: object) -> str:
    """Render a value as a TSV cell (None -> empty; no tabs/newlines)."""
    if value is None:
        return ""
    text = str(value)
    if any(ch in text for ch in "\t\r\n"):
        raise ValueError(f"unexpected control character in {text!r}")
    return text


def _tsv(rows: list[list[object]]) -> bytes:
    lines = ["\t".join(_clean(cell) for cell in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _load(src: Path, name: str) -> list[dict]:
    with (src / name).open(encoding="utf-8") as fh:
        return json.load(fh)


def build(src: Path, out: Path) -> dict[str, int]:
    """Convert the package's JSON files in ``src`` into ``out``; return row counts."""
    communes = _load(src, "communes.json")
    departements = _load(src, "departements.json")
    regions = _load(src, "regions.json")
    epcis = _load(src, "epci.json")

    epci_of: dict[str, str] = {}
    for epci in epcis:
        for member in epci["membres"]:
            epci_of[member["code"]] = epci["code"]

    kept = [c for c in communes if c["type"] in KEPT_TYPES]
    codes = [c["code"] for c in kept]
    if len(codes) != len(set(codes)):
        raise ValueError("duplicate INSEE codes among kept communes")

    commune_rows: list[list[object]] = []
    for c in sorted(kept, key=lambda c: c["code"]):
        parent = c.get("commune") if c["type"] == "arrondissement-municipal" else None
        commune_rows.append(
            [
                c["code"],
                c["nom"],
                " ".join(c.get("codesPostaux") or []),
                c["departement"],
                c["region"],
                epci_of.get(c["code"]) or epci_of.get(parent or ""),
                c.get("population"),
                parent,
            ]
        )

    out.mkdir(parents=True, exist_ok=True)
    header = [
        "insee",
        "name",
        "postal_codes",
        "departement",
        "region",
        "epci",
        "population",
        "parent",
    ]
    with (
        (out / "communes.tsv.gz").open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz,
    ):
        gz.write(_tsv([header, *commune_rows]))

    dep_rows = [
        [d["code"], d["nom"], d["region"]]
        for d in sorted(departements, key=lambda d: d["code"])
    ]
    (out / "departements.tsv").write_bytes(
        _tsv([["code", "name", "region"], *dep_rows])
    )

    reg_rows = [[r["code"], r["nom"]] for r in sorted(regions, key=lambda r: r["code"])]
    (out / "regions.tsv").write_bytes(_tsv([["code", "name"], *reg_rows]))

    epci_rows = [[e["code"], e["nom"]] for e in sorted(epcis, key=lambda e: e["code"])]
    (out / "epci.tsv").write_bytes(_tsv([["code", "name"], *epci_rows]))

    return {
        "communes": len(commune_rows),
        "departements": len(dep_rows),
        "regions": len(reg_rows),
        "epci": len(epci_rows),
    }


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    src = Path(argv[1])
    out = Path(argv[2]) if len(argv) == 3 else DEFAULT_OUT
    counts = build(src, out)
    for name, count in counts.items():
        print(f"{name}: {count} rows")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
