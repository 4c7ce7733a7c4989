"""The bureau's pages: dashboard with counts and a chart, the annual report, theme management."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..current import knowledge_base
from ..charts import stacked_columns
from ..documents import annual_report_docx, annual_report_markdown
from ..documents.text import report_intro
from ..models import CHANNEL_LABELS
from ..services import reports
from .free_text import warn_before_saving

bp = Blueprint("bureau", __name__, url_prefix="/bureau")



def _period() -> reports.Period:
    def year(name: str) -> int | None:
        value = request.args.get(name, type=int)
        return value if value is not None and 1900 <= value <= 2100 else None
    return reports.Period(year("year_from"), year("year_to"))


@bp.get("/")
def dashboard():
    period = _period()
    board = reports.dashboard(knowledge_base(), period)
    chart = stacked_columns([str(y) for y in board.years],
                            [(board.labels[slug], [board.by_theme_year[(slug, y)] for y in board.years])
                             for slug in board.themes],
                            title="Nombre de cas par thème et par année")
    return render_template(
        "dashboard.html", period=period, chart=chart, years=board.years, themes=board.themes, labels=board.labels,
        by_theme_year=board.by_theme_year, by_year=board.by_year, theme_totals=board.theme_totals,
        total=board.total, sectors=board.sectors, channels=board.channels, channel_labels=CHANNEL_LABELS,
        latest=board.latest)


def _report_period() -> tuple[int, int]:
    period = _period()
    this_year = date.today().year
    start = period.year_from or period.year_to or this_year
    return start, max(period.year_to or start, start)


@bp.get("/report")
def report():
    start, end = _report_period()
    entries = reports.report_entries(knowledge_base(), reports.Period(start, end))
    return render_template("report.html", entries=entries, start=start, end=end,
                           title=_report_title(start, end), intro=report_intro((start, end), entries) if entries else "")


@bp.get("/report.<fmt>")
def report_export(fmt: str):
    start, end = _report_period()
    entries = reports.report_entries(knowledge_base(), reports.Period(start, end))
    title = _report_title(start, end)
    knowledge_base().audit(current_user.username, "export", detail=f"annual report {start}-{end} ({fmt})")
    name = f"avis-{start}-{end}"
    if fmt == "docx":
        return Response(annual_report_docx(title, (start, end), entries),
                        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        headers={"Content-Disposition": f'attachment; filename="{name}.docx"'})
    if fmt == "md":
        return Response(annual_report_markdown(title, (start, end), entries), mimetype="text/markdown; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.md"'})
    return Response("Format inconnu.", status=404)


@bp.post("/report/summary/<ref>")
def report_summary(ref: str):
    """The sentence used for this case in reports; the case itself is not changed."""
    summary = (request.form.get("summary") or "")[:2000]
    warning = warn_before_saving({"summary": summary}, {"summary": "Phrase de résumé"})
    if warning:
        return warning
    if not knowledge_base().set_report_summary(ref, summary, actor=current_user.username):
        return Response("Cas inconnu.", status=404)
    flash(f"Résumé du cas {ref} enregistré." if summary.strip() else f"Résumé du cas {ref} rétabli par défaut.")
    return redirect(url_for("bureau.report", year_from=request.form.get("year_from", type=int),
                            year_to=request.form.get("year_to", type=int)) + f"#case-{ref}")


def _report_title(start: int, end: int) -> str:
    span = str(start) if start == end else f"{start}-{end}"
    return f"Les avis rendus, regroupés par thème ({span})"


@bp.route("/allowlist", methods=["GET", "POST"])
def allowlist():
    """The bureau's additions to the words the anonymiser never masks (the packaged list stays as is)."""
    from anonymizer.allowlist import DEFAULT_PATH, bureau_entries, read_entries, save_bureau_entries

    path = knowledge_base().settings.data_dir / "allowlist.txt"
    if request.method == "POST":
        text = (request.form.get("entries") or "")[:20_000]
        entries = [line[:200] for line in text.splitlines()]
        save_bureau_entries(path, entries)
        knowledge_base().audit(current_user.username, "allowlist-edited", detail=f"{len([e for e in entries if e.strip()])} entries")
        flash("Liste des termes à conserver enregistrée : elle s'applique aux prochaines anonymisations.")
        return redirect(url_for("bureau.allowlist"))
    return render_template("allowlist.html", packaged=read_entries(DEFAULT_PATH), entries=bureau_entries(path))


@bp.get("/themes")
def themes():
    return render_template("themes.html", themes=knowledge_base().theme_table())


@bp.post("/themes")
def theme_action():
    action = request.form.get("action")
    if action in ("add", "rename"):
        warning = warn_before_saving({"label": request.form.get("label") or ""}, {"label": "Nom du thème"})
        if warning:
            return warning
    kb, actor = knowledge_base(), current_user.username
    try:
        if action == "add":
            kb.add_theme(_label(), actor)
            flash("Thème ajouté.")
        elif action == "rename":
            kb.rename_theme(request.form.get("slug", ""), _label(), actor)
            flash("Thème renommé.")
        elif action in ("retire", "restore"):
            kb.set_theme_retired(request.form.get("slug", ""), action == "retire", actor)
            flash("Thème retiré : il reste sur ses cas mais n'est plus proposé." if action == "retire" else "Thème rétabli.")
        elif action == "merge":
            moved = kb.merge_themes(request.form.get("source", ""), request.form.get("target", ""), actor)
            flash(f"Thèmes fusionnés : {moved} cas déplacé(s).")
        else:
            flash("Action inconnue.")
    except ValueError as exc:
        flash(str(exc))
    return redirect(url_for("bureau.themes"))


def _label() -> str:
    label = (request.form.get("label") or "").strip()
    if not label or len(label) > 200:
        raise ValueError("Le nom du thème doit compter entre 1 et 200 caractères.")
    return label
