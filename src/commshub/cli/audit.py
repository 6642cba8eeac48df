"""``commshub audit``: query the gateway's audit trail and export it as CSV or JSON lines."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, cast

import click

from commshub.store.audit import AuditKind, AuditOutcome, AuditTrail, export_records, parse_use_case
from commshub.store.sqlite import StoreError

__all__ = ["audit"]


def _parse_time(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 time such as 2024-01-31 or 2024-01-31T12:00:00Z",
            param_hint=option,
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


@click.command()
@click.option("--db", "db", required=True, envvar="COMMSHUB_AUDIT_DB", show_envvar=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Audit trail database (SQLite) written by the gateway.")
@click.option("--hub", help="Hub network address (IPv6) or CHF EUI-64.")
@click.option("--use-case", help="Use case name (CCS01) or GBCS message code (0x0001).")
@click.option("--since", help="Earliest time, inclusive, ISO 8601; UTC when no zone is given.")
@click.option("--until", help="Latest time, exclusive, ISO 8601; UTC when no zone is given.")
@click.option("--outcome", multiple=True, type=click.Choice([o.value for o in AuditOutcome]),
              help="Keep records with this outcome; repeat for several.")
@click.option("--kind", multiple=True, type=click.Choice([k.value for k in AuditKind]),
              help="Keep records of this kind; repeat for several.")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv",
              show_default=True, help="Export format.")
@click.option("--frames", is_flag=True, help="Add each carried frame in hex (column 'frame').")
@click.option("--limit", type=click.IntRange(min=1), help="Export at most this many records.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
def audit(db: Path, hub: str | None, use_case: str | None, since: str | None, until: str | None,
          outcome: tuple[str, ...], kind: tuple[str, ...], fmt: str, frames: bool,
          limit: int | None, output: Path | None) -> None:
    """Query the audit trail by hub, use case, time range and outcome; export CSV or JSON lines.

    The record count goes to standard error.
    """
    if use_case is not None:
        try:
            parse_use_case(use_case)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--use-case") from None
    try:
        with AuditTrail(db) as trail:
            records = trail.query(
                hub=hub, use_case=use_case, since=_parse_time(since, "--since"),
                until=_parse_time(until, "--until"), outcome=outcome or None, kind=kind or None,
                limit=limit,
            )
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    export_format = cast(Literal["csv", "jsonl"], fmt)
    if output is None:
        count = export_records(records, sys.stdout, export_format, include_frames=frames)
    else:
        with output.open("w", encoding="utf-8", newline="") as stream:
            count = export_records(records, stream, export_format, include_frames=frames)
    click.echo(f"{count} audit records", err=True)
