"""French geography (regions, fédérations, EPCI, communes, postal codes) and party sections."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db


class Region(db.Model):
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))


class Federation(db.Model):
    """The party's fédération of one département; its code is the département's."""

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))

    region: Mapped[Region | None] = relationship()

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})"


class Epci(db.Model):
    """An intercommunality (métropole, communauté d'agglomération…), by its SIREN."""

    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Section(db.Model):
    """A local section: a set of communes inside one fédération."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    federation_code: Mapped[str] = mapped_column(ForeignKey("federation.code"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    federation: Mapped[Federation] = relationship()
    communes: Mapped[list["Commune"]] = relationship(
        back_populates="section", order_by="Commune.name"
    )


class Commune(db.Model):
    """A commune, or a municipal arrondissement of Paris, Lyon or Marseille."""

    insee: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    search_name: Mapped[str] = mapped_column(String(120), index=True)
    federation_code: Mapped[str] = mapped_column(ForeignKey("federation.code"), index=True)
    epci_code: Mapped[str | None] = mapped_column(ForeignKey("epci.code"), index=True)
    population: Mapped[int] = mapped_column(default=0)
    # For an arrondissement, its city; the city itself is never offered when it has some.
    parent_insee: Mapped[str | None] = mapped_column(String(5))
    has_arrondissements: Mapped[bool] = mapped_column(default=False)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id"), index=True)

    federation: Mapped[Federation] = relationship()
    epci: Mapped[Epci | None] = relationship()
    section: Mapped[Section | None] = relationship(back_populates="communes")
    postal_codes: Mapped[list["PostalCode"]] = relationship(order_by="PostalCode.code")

    @property
    def label(self) -> str:
        codes = ", ".join(p.code for p in self.postal_codes[:2])
        return f"{self.name} ({codes})" if codes else self.name


class PostalCode(db.Model):
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    commune_insee: Mapped[str] = mapped_column(ForeignKey("commune.insee"), primary_key=True)

    __table_args__ = (Index("ix_postal_code_commune", "commune_insee"),)
