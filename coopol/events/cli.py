"""`flask events remind`: for cron, the day before each event."""

import click

from . import bp, rsvps


@bp.cli.command("remind")
def remind_command():
    """Mail tomorrow's participants a reminder (each person once, however often it runs)."""
    sent = rsvps.reminders_due()
    click.echo(f"{sent} rappel(s) mis en file.")
