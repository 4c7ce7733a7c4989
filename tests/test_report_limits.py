"""Reading an activity report is bounded (issue 15): a crafted PDF that took 53 s of CPU is refused at
once, the child process that reads reports is limited in time and memory and writes no file, an
encrypted PDF says so; the command line and the upload page give a clear message, never a traceback."""
from __future__ import annotations

import io
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kb.models import THEMES as TAXONOMY
from kb.models import Draft
from kb.report_parser import MAX_OPINIONS, MAX_PAGES, MAX_TEXT_CHARS, NotAReport
from kb.report_sandbox import ROOT, Limits, read_report_bounded
from tests.conftest import SHARED
from tests.helpers import assemble_pdf

THEMES = dict(TAXONOMY)
SAMPLE = SHARED / "samples" / "rapport-activites-2021-2023.txt"
REPORT_LINES = [
    "Rapport d'activités 2019",
    "Secret professionnel",
    "o Une assistante sociale se demande si elle peut transmettre à l'école des informations sur un élève.",
    "o Un éducateur reçoit une apostille du procureur et nous demande s'il doit répondre à la police.",
]


def pdf(pages: list[bytes], compress: bool = True, extra_objects: int = 0) -> bytes:
    """A PDF whose pages have these content streams (Helvetica as /F1), Flate-compressed or not."""
    count = len(pages)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count)), count),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    for i, content in enumerate(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i))
        body = zlib.compress(content, 9) if compress else content
        objects.append(b"<< /Length %d%s >>\nstream\n" % (len(body), b" /Filter /FlateDecode" if compress else b"")
                       + body + b"\nendstream")
    return assemble_pdf(objects)


def text_page(lines: list[str]) -> bytes:
    def literal(line: str) -> bytes:
        return b"(" + line.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"
    return b"BT /F1 11 Tf 14 TL 50 800 Td\n" + b"".join(literal(line) + b" Tj T*\n" for line in lines) + b"ET"


def heavy_page(megabytes: float) -> bytes:
    """Megabytes of text-showing operators: compressed a thousandfold, slow to interpret."""
    op = b"(x) Tj "
    return b"BT /F1 1 Tf " + op * int(megabytes * 1_000_000 / len(op)) + b" ET"


def crafted_pdf() -> bytes:
    """As in the issue: three pages of large compressed content streams, each under pypdf's own
    parsing budget; pypdf alone spends some 45 s of CPU on them."""
    return pdf([heavy_page(6)] * 3)


def refusal(call) -> tuple[NotAReport, float]:
    start = time.monotonic()
    with pytest.raises(NotAReport) as raised:
        call()
    return raised.value, time.monotonic() - start


# ---------------------------------------------------------------------------------------------------
# The bounds


def test_a_readable_pdf_is_read_in_the_child() -> None:
    report = read_report_bounded("rapport.pdf", pdf([text_page(REPORT_LINES)]), THEMES)
    assert report.period == (2019, 2019)
    assert [d.theme_slug for d in report.drafts] == ["secret-professionnel"] * 2
    assert report.drafts[1].situation.endswith("s'il doit répondre à la police.")


def test_the_crafted_pdf_of_the_issue_is_refused_at_once() -> None:
    data = crafted_pdf()
    assert len(data) < 100_000
    error, seconds = refusal(lambda: read_report_bounded("crafted.pdf", data, THEMES))
    assert error.reason == "too-heavy" and seconds < 15  # 53 s of CPU before
    assert str(error).startswith("Le PDF crafted.pdf est trop lourd à lire")


def test_a_slow_pdf_under_the_content_bounds_is_stopped_at_the_time_limit() -> None:
    data = pdf([heavy_page(3.5)])  # under the bound of one page's content, some 8 s to interpret
    error, seconds = refusal(lambda: read_report_bounded("lent.pdf", data, THEMES, limits=Limits(seconds=1.5)))
    assert error.reason == "time-limit" and seconds < 6
    assert "Le PDF lent.pdf est trop lourd à lire" in str(error)


def test_the_child_is_limited_in_memory() -> None:
    data = pdf([b"\0" * 70_000_000])  # 70 MB of content in 70 kB (pypdf decodes up to 75 MB a stream)
    assert len(data) < 100_000
    error, _ = refusal(lambda: read_report_bounded("bombe.pdf", data, THEMES))
    assert error.reason == "too-heavy"  # decoded, then refused by the bound on a page's content
    error, _ = refusal(lambda: read_report_bounded("bombe.pdf", data, THEMES, limits=Limits(memory_bytes=100 << 20)))
    assert error.reason == "memory-limit" and "Le PDF bombe.pdf est trop lourd à lire" in str(error)


def test_the_child_can_write_no_file(tmp_path: Path) -> None:
    """The raw report goes through a pipe; the reading child could not write it anywhere if it tried."""
    target = tmp_path / "fuite.txt"
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from kb.report_sandbox import _limit_self; "
            "_limit_self(1 << 30, 10); f = open(sys.argv[2], 'w'); f.write('rapport brut'); f.flush()")
    done = subprocess.run([sys.executable, "-I", "-B", "-c", code, str(ROOT), str(target)], capture_output=True, text=True)
    assert done.returncode != 0 and "File too large" in done.stderr
    assert target.stat().st_size == 0


def test_too_many_pages_too_much_text_or_too_many_opinions_are_refused() -> None:
    error, _ = refusal(lambda: read_report_bounded("gros.pdf", pdf([b""] * (MAX_PAGES + 1), compress=False), THEMES))
    assert error.reason == "too-heavy" and f"plus de {MAX_PAGES} pages" in str(error)
    error, _ = refusal(lambda: read_report_bounded("gros.txt", b"a" * (MAX_TEXT_CHARS + 1), THEMES))
    assert error.reason == "too-heavy" and "plus de 1 000 000 caractères" in str(error)
    many = "Rapport d'activités 2019\n\nSecret professionnel\n" + "".join(
        f"o Une assistante sociale numéro {i} se demande si elle peut parler au juge de la jeunesse.\n"
        for i in range(MAX_OPINIONS + 1))
    error, _ = refusal(lambda: read_report_bounded("avis.txt", many.encode(), THEMES))
    assert error.reason == "too-heavy" and f"plus de {MAX_OPINIONS} avis" in str(error)


def encrypted_pdf(user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf([text_page(REPORT_LINES)]))))
    writer.encrypt(user_password=user_password, owner_password="proprietaire", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_an_encrypted_pdf_says_it_is_encrypted() -> None:
    error, _ = refusal(lambda: read_report_bounded("secret.pdf", encrypted_pdf("motdepasse"), THEMES))
    assert error.reason == "encrypted"
    assert str(error).startswith("Le PDF secret.pdf est chiffré (protégé par un mot de passe)")
    assert "The PDF secret.pdf is encrypted" in str(error)
    # Restrictions without a password to open it (printing, copying) do not stop the reading.
    assert len(read_report_bounded("restreint.pdf", encrypted_pdf(""), THEMES).drafts) == 2


def test_a_malformed_pdf_is_unreadable_not_an_error() -> None:
    error, _ = refusal(lambda: read_report_bounded("casse.pdf", pdf([text_page(REPORT_LINES)])[:400], THEMES))
    assert error.reason in {"unreadable", "no-text"} and "casse.pdf" in str(error)


# ---------------------------------------------------------------------------------------------------
# Command line and upload page


@pytest.mark.parametrize("name, data, expected", [
    ("crafted.pdf", crafted_pdf(), "crafted.pdf is too heavy to read"),
    ("secret.pdf", encrypted_pdf("motdepasse"), "The PDF secret.pdf is encrypted"),
])
def test_the_command_line_gives_a_clear_message(runner, kb, tmp_path: Path, name: str, data: bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    start = time.monotonic()
    result = runner.invoke(args=["kb", "import-report", str(path)])
    assert result.exit_code == 1 and expected in result.output and time.monotonic() - start < 15
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)


def upload(client, name: str, data: bytes, button: str = "preview"):
    return client.post("/bureau/drafts/import", data={"report": (io.BytesIO(data), name), button: "1"},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("button", ["preview", "submit"])
def test_the_upload_page_refuses_heavy_and_encrypted_pdfs_in_french(client, kb, button: str) -> None:
    page = upload(client, "crafted.pdf", crafted_pdf(), button)
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and "Le PDF crafted.pdf est trop lourd à lire" in html and "too heavy" not in html
    page = upload(client, "secret.pdf", encrypted_pdf("motdepasse"), button)
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and "Le PDF secret.pdf est chiffré (protégé par un mot de passe)" in html
    with kb.db.session() as db:
        assert db.scalar(select(func.count(Draft.id))) == 0


@pytest.mark.parametrize("name, data, status, message", [
    ("rapport.docx", b"PK\x03\x04", 400, "Seuls les fichiers PDF, TXT et MD sont acceptés."),
    ("vide.txt", b"", 422, "est-ce bien un rapport d&#39;activités ?"),
    ("vide.pdf", b"", 422, "PDF illisible : vide.pdf."),
    ("casse.pdf", b"%PDF-1.4 broken", 422, "PDF illisible : casse.pdf."),
    ("latin.txt", "Rapport 2019 : réponse".encode("latin-1"), 422, "n&#39;est pas un texte UTF-8"),
    ("courses.txt", "Liste de courses : pain, lait.\n".encode(), 422, "est-ce bien un rapport d&#39;activités ?"),
    ("scan.pdf", pdf([b""]), 422, "ne contient pas de texte (document scanné ?)"),
])
def test_a_refused_upload_answers_an_error_status_with_its_french_message(client, name, data, status, message) -> None:
    for button in ("preview", "submit"):
        page = upload(client, name, data, button)
        assert page.status_code == status and message in page.get_data(as_text=True), (button, page.status_code)


def test_an_upload_without_a_file_or_too_large_answers_an_error_status(client) -> None:
    page = client.post("/bureau/drafts/import", data={"preview": "1"}, content_type="multipart/form-data")
    assert page.status_code == 400 and "Choisissez un fichier." in page.get_data(as_text=True)
    page = upload(client, "enorme.txt", b"a" * (26 * 1024 * 1024))
    assert page.status_code == 413 and "L’envoi dépasse la taille permise" in page.get_data(as_text=True)
    assert client.get("/bureau/drafts/import").status_code == 200
