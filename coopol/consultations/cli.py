"""`flask consultations close`, `compute` and `announce`: for cron and for repairs."""

import time

import click

from ..extensions import db
from . import bp, results, service
from .models import Consultation


@bp.cli.command("close")
def close_command():
    """Close every consultation whose vote has ended: count, store, unlink ballots."""
    for consultation in results.due_for_close():
        started = time.perf_counter()
        count = results.close(consultation)
        db.session.commit()
        click.echo(f"« {consultation.title} » close : {count} bulletins, "
                   f"{time.perf_counter() - started:.2f} s.")


@bp.cli.command("compute")
@click.argument("consultation_id", type=int)
def compute_command(consultation_id: int):
    """Count a closed consultation's stored results again (after a repair)."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None or consultation.closed_at is None:
        raise click.UsageError("Pas de consultation close avec ce numéro.")
    started = time.perf_counter()
    count = results.compute(consultation)
    db.session.commit()
    click.echo(f"{count} bulletins comptés en {time.perf_counter() - started:.2f} s.")


@bp.cli.command("announce")
def announce_command():
    """Announce consultations that just opened and votes closing soon (run it hourly)."""
    opened, closing = service.announce_due()
    db.session.commit()
    click.echo(f"{opened} consultation(s) ouverte(s), {closing} vote(s) bientôt clos annoncé(s).")
