"""``portal bpmn versions`` and ``portal bpmn diff``: the designer's views for the shell (stable output).

Added to the ``bpmn`` group by :mod:`portal.cli`.
"""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from portal.designer.services import WORKDIR, UnknownSource, diff_sources, version_rows, versions_query
from portal.extensions import db


@click.command("versions")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per version, newest first).")
@with_appcontext
def versions(as_json: bool) -> None:
    """The deployed process versions, newest first, with the cases running on each."""
    rows = version_rows(list(db.session.scalars(versions_query())))
    if as_json:
        click.echo(json.dumps([{
            "version": row.id, "digest": row.digest, "deployed_at": row.deployed_at.isoformat(),
            "deployed_by": row.deployed_by, "note": row.note, "running_cases": row.running,
            "finished_cases": row.finished, "open_tasks": row.open_tasks,
            "waiting": [{"process": s.process_id, "element": s.bpmn_id, "name": s.name, "kind": s.kind,
                         "count": s.count} for s in row.steps],
        } for row in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no process versions deployed (run: portal bpmn deploy)")
        return
    click.echo(f"{'version':>7}  {'hash':<12}  {'deployed (UTC)':<16}  {'running':>7}  {'finished':>8}  "
               f"{'open tasks':>10}  note")
    for row in rows:
        click.echo(f"{row.id:>7}  {row.short_digest:<12}  {row.deployed_at:%Y-%m-%d %H:%M}  {row.running:>7}  "
                   f"{row.finished:>8}  {row.open_tasks:>10}  {row.note or ''}".rstrip())


def _source(value: str) -> str:
    return value.lower() if value.lower() == WORKDIR else value


@click.command("diff")
@click.argument("old", metavar="FROM")
@click.argument("new", metavar="TO")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@with_appcontext
def diff(old: str, new: str, as_json: bool) -> None:
    """What changed from FROM to TO (a version number or 'workdir'): nodes, flows, forms, fields.

    Exit 0 (also when something changed); exit 2 when FROM or TO names no version.
    """
    try:
        result = diff_sources(_source(old), _source(new))
    except UnknownSource as exc:
        click.echo(f"no process version {exc.args[0]!r} (give a version number or 'workdir')", err=True)
        sys.exit(2)
    except ValueError as exc:
        click.echo(f"cannot read the BPMN files: {exc}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps({"from": old, "to": new, "counts": result.counts(),
                               "changes": [c.as_dict() for c in result.changes]}, ensure_ascii=False, indent=2))
        return
    for change in result.changes:
        where = f"{change.process}/{change.element}" if change.subject in ("node", "flow") else change.element
        kind = f" ({change.node_type})" if change.node_type else ""
        click.echo(f"{change.kind} {change.subject} {where}{kind} \"{change.label}\"")
        for detail in change.details:
            click.echo(f"    {detail.attribute}: {detail.old if detail.old is not None else '-'} → "
                       f"{detail.new if detail.new is not None else '-'}")
    counts = result.counts()
    click.echo(f"{len(result.changes)} change(s): {counts['added']} added, {counts['removed']} removed, "
               f"{counts['changed']} changed")
