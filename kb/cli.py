"""`flask --app app kb ...`: the command line, first-class like the web (datasette's CLI-first way)."""
from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from .anonymization import anonymize_records
from .current import knowledge_base
from .models import ROLES, Case
from .records import CaseRecord, InvalidFile, read_records, write_csv
from .services import CheckReport, KnowledgeBase, case_to_record, users, with_relations
from .services.accounts import AccountError

kb_cli = AppGroup("kb", help="Manage the case knowledge base.")
DEMO_CASES = Path(__file__).parent / "data" / "demo_cases.jsonl"
BATCH = 32



@contextmanager
def progress_bar(label: str, length: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr when it is a terminal (as `kb import` shows); silent otherwise."""
    with click.progressbar(length=length, label=label, file=sys.stderr, hidden=not sys.stderr.isatty()) as bar:
        yield bar.update


def case_count(kb: KnowledgeBase) -> int:
    with kb.db.session() as session:
        return kb.count_cases(session)


def _known_themes(kb: KnowledgeBase) -> list[str]:
    with kb.db.session() as session:
        return list(kb.theme_labels(session, include_retired=False))


@kb_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Import cases from a JSONL or CSV file (validated whole, anonymised, idempotent on ref)."""
    kb = knowledge_base()
    try:
        records = read_records(file, _known_themes(kb))
    except InvalidFile as exc:
        for line in exc.lines():
            click.echo(line, err=True)
        raise click.ClickException(f"{file.name}: nothing imported ({len(exc.problems)} problem(s)).") from None
    cleaned: list[CaseRecord] = []
    show_bar = sys.stderr.isatty()
    with click.progressbar(length=len(records), label="Anonymisation", file=sys.stderr,
                           hidden=not show_bar) as bar:
        for start in range(0, len(records), BATCH):
            chunk = records[start:start + BATCH]
            cleaned.extend(anonymize_records(chunk))
            bar.update(len(chunk))
    report = kb.save_records(cleaned, actor="cli", action="import")
    click.echo(f"{file.name}: {report.created} created, {report.updated} updated, "
               f"{report.unchanged} unchanged.")


@kb_cli.command("import-report")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show the drafts it would create; store nothing.")
@click.option("--json", "as_json", is_flag=True, help="With --dry-run: print the drafts as JSON.")
@click.option("--include-miscellaneous", is_flag=True,
              help="Also take the items under a catch-all heading (« Divers »), set aside by default.")
def import_report_command(file: Path, dry_run: bool, as_json: bool, include_miscellaneous: bool) -> None:
    """Turn an activity report (PDF or text) into anonymised drafts for the bureau's review queue."""
    from .services.report_import import import_report
    from .report_parser import NotAReport

    with ExitStack() as stack:
        bar: list = []

        def progress(total: int | None, done: int) -> None:
            if total is not None:
                bar.append(stack.enter_context(progress_bar("Anonymisation", total)))
            elif bar:
                bar[0](done)

        try:
            result = import_report(knowledge_base(), file, include_miscellaneous, dry_run=dry_run, progress=progress)
        except NotAReport as exc:
            raise click.ClickException(f"{file.name}: {exc}") from None
    if dry_run and as_json:
        click.echo(json.dumps({"period": result.period, "drafts": [d.as_json() for d in result.drafts],
                               "set_aside": len(result.set_aside)}, ensure_ascii=False, indent=2))
        return
    period = "-".join(map(str, result.period)) if result.period else "unknown period"
    click.echo(f"{file.name}: {len(result.drafts)} opinion(s) found ({period}).")
    if dry_run:
        for draft in result.drafts:
            click.echo(f"  [{draft.source.theme_slug or 'new: ' + str(draft.source.proposed_theme)}] {draft.title}")
    else:
        click.echo(f"{result.created} draft(s) added to the review queue, {result.already_known} already known.")
    if result.proposals:
        click.echo(f"Headings that match no theme (proposed as new themes): {', '.join(result.proposals)}")
    if result.set_aside:
        click.echo(f"{len(result.set_aside)} item(s) under a catch-all heading set aside "
                   "(--include-miscellaneous to take them).")


@kb_cli.command("load-demo")
@click.option("--force", is_flag=True, help="Load even when the knowledge base already holds cases.")
def load_demo_command(force: bool) -> None:
    """Load the demo cases shipped with the project (written without any identifier)."""
    kb = knowledge_base()
    with kb.db.session() as session:
        existing = kb.count_cases(session)
    if existing and not force:
        # load-demo and ensure-admin speak to whoever runs ./scripts/start: in French, like the interface.
        click.echo(f"La base contient déjà {existing} cas : les cas de démonstration ne sont pas chargés.")
        return
    records = read_records(DEMO_CASES, _known_themes(kb))
    report = kb.save_records(records, actor="cli", action="load-demo")
    click.echo(f"Cas de démonstration : {report.created} ajoutés, {report.updated} mis à jour, "
               f"{report.unchanged} inchangés.")


@kb_cli.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="volunteer", show_default=True)
@click.password_option(help="Asked for when not given.")
@click.option("--provisional", is_flag=True,
              help="A password made for someone else: they must change it at their first login.")
def create_user_command(username: str, role: str, password: str, provisional: bool) -> None:
    """Create an account (the first admin, for instance)."""
    try:
        name, _ = users.add(knowledge_base(), "cli", username, role, password=password, provisional=provisional)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Account {name} created with role {role}.")


@kb_cli.command("ensure-admin")
def ensure_admin_command() -> None:
    """On a base without accounts, create an 'admin' account and print its one-time password."""
    password = users.first_admin(knowledge_base(), "cli")
    if password is None:
        click.echo("Des comptes existent déjà : connectez-vous avec le vôtre "
                   "(un administrateur peut réinitialiser un mot de passe).")
        return
    click.echo(f"Premier compte créé. Identifiant : admin   Mot de passe : {password}")
    click.echo("Ce mot de passe est provisoire : la première connexion en demande un nouveau.")


@kb_cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve_command(host: str, port: int) -> None:
    """Serve the web app for one machine (./scripts/start), with French console lines; in production
    use gunicorn (see the README)."""
    from werkzeug.serving import make_server

    try:
        server = make_server(host, port, current_app._get_current_object(), threaded=True)
    except OSError as exc:
        raise click.ClickException(f"Impossible d'écouter sur {host}:{port} ({exc.strerror}). "
                                   "Un autre programme utilise-t-il ce port ? Essayez PORT=5001 ./scripts/start") from None
    click.echo(f"\n  Base de cas prête : ouvrez http://{host}:{port}/ dans votre navigateur (Ctrl+C pour arrêter).\n")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    click.echo("  Serveur arrêté.")


@kb_cli.command("search")
@click.argument("query", required=False, default="")
@click.option("--queries", "queries_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A file with one query per line; prints one JSON object per query.")
@click.option("--theme", "theme", multiple=True, help="Theme slug (repeatable).")
@click.option("--sector", "sector", multiple=True, help="Sector (repeatable).")
@click.option("--channel", "channel", multiple=True, help="Channel: permanence, mail or bureau.")
@click.option("--legal-ref", "legal_ref", multiple=True, help="Legal reference (as in the facet).")
@click.option("--year-from", type=int)
@click.option("--year-to", type=int)
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the shape of /api/search).")
def search_command(query: str, queries_file: Path | None, year_from: int | None, year_to: int | None, limit: int,
                   as_json: bool, **facet_values: tuple[str, ...]) -> None:
    """Search the cases, with the web page's filters; never loads the anonymiser."""
    from indexes import SearchRequest
    from indexes.facets import filters_from

    from .search_json import search_json

    kb = knowledge_base()
    filters, _ = filters_from(lambda param: list(facet_values.get(param, ())),
                              None if year_from is None else str(year_from), None if year_to is None else str(year_to))
    if queries_file:
        queries = queries_file.read_text(encoding="utf-8").splitlines()
        as_json = True
    else:
        queries = [query]
    for text in queries:
        request = SearchRequest(query=text, **filters, per_page=limit, facets=False, highlight=not as_json)
        result = kb.index.search(request)
        if as_json:
            click.echo(json.dumps(search_json(request, result), ensure_ascii=False))
            continue
        click.echo(f"{result.total} case(s)" + (f" — did you mean: {result.suggestion}" if result.suggestion else ""))
        for hit in result.hits:
            click.echo(f"{hit.ref}  {hit.year or '':<4}  {hit.title}  [{', '.join(hit.themes)}]")


@kb_cli.command("anonymize")
@click.option("--jsonl", "jsonl_in", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='Input lines {"id", "text"}.')
@click.option("--out", "jsonl_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file for --jsonl.")
def anonymize_command(jsonl_in: Path | None, jsonl_out: Path | None) -> None:
    """Anonymise one text from stdin to stdout, or a JSONL file of texts with their entities and the
    spans the residual check still flags in the anonymised text (offsets into that text)."""
    from anonymizer import get_anonymizer, residual_check

    if jsonl_in is None:
        click.echo(get_anonymizer().anonymize(sys.stdin.read()).text, nl=False)
        return
    if jsonl_out is None:
        raise click.UsageError("--jsonl needs --out.")
    rows = []
    for number, line in enumerate(jsonl_in.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            rows.append((row["id"], str(row["text"])))
        except (ValueError, RecursionError, KeyError, TypeError):  # not JSON, too deep, no id or text
            raise click.ClickException(f'{jsonl_in.name}:{number}: expected a JSON object with "id" and "text".') from None
    anonymizer = get_anonymizer()
    results = anonymizer.anonymize_many([text for _, text in rows])
    entities = anonymizer.model_entities([r.text for r in results])
    with jsonl_out.open("w", encoding="utf-8") as out:
        for (row_id, _), result, found in zip(rows, results, entities):
            out.write(json.dumps({
                "id": row_id, "text": result.text,
                "entities": [{"start": e.start, "end": e.end, "label": e.label, "replacement": e.replacement}
                             for e in result.entities],
                "residuals": [{"start": r.start, "end": r.end, "kind": r.kind}
                              for r in residual_check(result.text, found)],
            }, ensure_ascii=False) + "\n")


@kb_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index from the database (the stored vectors, never re-embedded)."""
    kb = knowledge_base()
    with progress_bar("Index", case_count(kb)) as step:
        count = kb.reindex(progress=step)
    click.echo(f"Index rebuilt: {count} cases.")


@kb_cli.command("embed")
@click.option("--all", "everything", is_flag=True, help="Recompute every vector, not only the missing ones.")
def embed_command(everything: bool) -> None:
    """Compute the vectors of the configured model (KB_DENSE_MODEL) for every case that has none or an
    out-of-date one, delete those of other models, and rebuild the index: the way to change the model."""
    from .case_vectors import DenseUnavailable

    kb = knowledge_base()
    total = case_count(kb)
    try:
        with progress_bar(f"Vectors ({kb.settings.dense_model})", total) as step:
            embedded, _ = kb.embed(everything, progress=step)
    except DenseUnavailable as exc:
        raise click.ClickException(f"model {kb.settings.dense_model} cannot load: {exc}") from None
    from .case_vectors import check

    dense = check(kb.db, kb.dense, kb.index)
    if embedded or (dense is not None and not dense.ok):
        with progress_bar("Index", total) as step:
            kb.reindex(progress=step)
        click.echo(f"{embedded} vector(s) computed for {total} cases with {kb.dense_key()}; index rebuilt.")
    else:
        click.echo(f"Every one of the {total} cases already has its vector of {kb.dense_key()}.")


@kb_cli.command("check")
@click.option("--repair", is_flag=True, help="Bring the index in line with the database (rebuilt if it fell too far behind).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check_command(repair: bool, as_json: bool) -> None:
    """Compare the database with this server's index, and tell where every known server stands in
    the index change log; exit 1 when this server's index differs (and --repair was not given)."""
    kb = knowledge_base()
    report = kb.repair() if repair else kb.check()
    after = kb.check() if repair and not report.ok else None  # what the repair left
    if as_json:
        click.echo(json.dumps({
            "ok": report.ok, "missing_from_index": report.missing_from_index,
            "not_in_database": report.not_in_database, "out_of_date": report.out_of_date,
            "pending_changes": report.pending_tasks, "removed_text_in_index": report.removed_text_in_index,
            "needs_rebuild": report.needs_rebuild, "log_head": report.log_head,
            "retention_days": report.retention_days, "nodes": [n.as_json() for n in report.nodes],
            "dense": dense_lines(report.dense, kb.settings.dense_model),
            **({"repaired": after.ok} if after else {}),
        }, indent=2))
    else:
        _print_check(report, kb.settings.dense_model)
        if after:
            click.echo("Repaired." if after.ok else "Still differs after repair.")
    if not report.ok and not repair:
        sys.exit(1)


def _print_check(report: CheckReport, dense_model: str) -> None:
    for label, refs in (("missing from the index", report.missing_from_index),
                        ("in the index but not in the database", report.not_in_database),
                        ("out of date in the index", report.out_of_date)):
        if refs:
            click.echo(f"{len(refs)} case(s) {label}: {', '.join(refs[:20])}{' ...' if len(refs) > 20 else ''}")
    if report.pending_tasks:
        click.echo(f"{report.pending_tasks} change(s) of the log not yet applied to this server's index.")
    if report.needs_rebuild:
        click.echo("This server's index has no position in the change log, or the log was pruned past it: "
                   "it must be rebuilt (kb check --repair, or kb reindex).")
    if report.removed_text_in_index:
        click.echo("The index still holds the text of removed or replaced cases (an interrupted write).")
    for line in dense_lines(report.dense, dense_model):
        click.echo(line)
    if report.ok:
        click.echo("Database and index agree.")
    click.echo(f"Servers (change log head {report.log_head}; a server unseen for {report.retention_days:g} days "
               "no longer holds the log back):")
    for node in report.nodes:
        seen = node.last_seen.strftime("%Y-%m-%d %H:%M:%S UTC") if node.last_seen else "never"
        position = "none" if node.position is None else str(node.position)
        notes = [note for flag, note in ((node.this_server, "this server"),
                                         (not node.counted, "past the retention"),
                                         (node.needs_rebuild, "rebuilds at its next sync")) if flag]
        click.echo(f"  {node.name}: position {position}, {node.behind} change(s) behind, last seen {seen}"
                   + (f" ({'; '.join(notes)})" if notes else ""))


def dense_lines(dense, configured: str) -> list[str]:
    """What `kb check` says of the vectors and the model."""
    if dense is None:
        return [f"Dense retrieval is off (KB_DENSE_MODEL={configured}): searches are lexical only."]
    if dense.unavailable:
        return [f"Model {dense.model} cannot load: {dense.unavailable}. Searches are lexical only."]
    lines = []
    if dense.without_vector:
        lines.append(f"{dense.without_vector} case(s) without a vector of {dense.model_key} (kb embed).")
    if dense.stale:
        lines.append(f"{dense.stale} vector(s) computed from an earlier text of their case (kb embed).")
    if dense.other_models:
        lines.append(f"{dense.other_models} vector(s) of another model or version (kb embed finishes the change).")
    if not dense.index_has_column:
        lines.append("The index was written before dense vectors (kb reindex).")
    elif dense.in_index != dense.cases - dense.without_vector:
        lines.append(f"{dense.in_index} vector(s) in the index for {dense.cases - dense.without_vector} stored (kb reindex).")
    if not lines:
        lines.append(f"Dense retrieval: {dense.model_key}, a vector for each of the {dense.cases} case(s).")
    return lines


@kb_cli.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Write one file (JSON, gzipped if it ends in .gz) with everything needed to restore."""
    from .backup import write_backup

    counts = write_backup(knowledge_base(), file)
    click.echo(f"Backup written to {file}: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + ".")


@kb_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(file: Path) -> None:
    """Restore a backup into an empty knowledge base, then rebuild the index."""
    from .backup import BackupError, restore

    try:
        counts = restore(knowledge_base(), file, bar=progress_bar)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("Restored: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + "; index rebuilt.")


@kb_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export_command(file: Path) -> None:
    """Write every case to a JSONL or CSV file (the import format)."""
    kb = knowledge_base()
    suffix = file.suffix.lower()
    if suffix not in (".jsonl", ".csv"):
        raise click.UsageError("Use a .jsonl or .csv file name.")
    with kb.db.session() as session, file.open("w", encoding="utf-8", newline="") as out:
        records = (case_to_record(case) for case in
                   session.scalars(select(Case).order_by(Case.ref).options(*with_relations())))
        if suffix == ".csv":
            count = write_csv(out, records)  # cells a spreadsheet would run as formulas are neutralised
        else:
            count = 0
            for record in records:
                out.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
                count += 1
    click.echo(f"{count} cases written to {file}.")

