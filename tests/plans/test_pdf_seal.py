"""PDF rendering (WeasyPrint, Noto fonts, running footer) and the PAdES seal (pyHanko).

Pure tests: no app, no database. The PDFs are rendered once per module (about 0.3 s each).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
from io import BytesIO

import pytest
from pypdf import PdfReader

from portal.i18n import RTL_LOCALES
from portal.plans.pdf import (
    PdfResourceError,
    embedded_fonts,
    extract_text,
    footer_context,
    page_texts,
    qr_svg_data_uri,
    render_pdf,
    template_environment,
    text_direction,
)
from portal.plans.seal import SealCheck, check_seal, generate_dev_certificate, seal_pdf

CODE = "K7QX-42PA-M3ZD"
VERIFY_URL = "https://gemeente.example/verify"

DOCUMENT = """{% extends "pdf/base.html" %}
{% block title %}{{ title }}{% endblock %}
{% block content %}
<h1>{{ title }}</h1>
{% for _ in range(repeat) %}<p>{{ sentence }}</p>{% endfor %}
<table>
  <thead><tr><th>#</th><th>{{ goal }}</th><th>{{ activity }}</th></tr></thead>
  <tbody>{% for n in range(1, 11) %}
    <tr><td>{{ n }}</td><td>{{ goal }} {{ n }}</td><td>{{ activity }}</td></tr>{% endfor %}
  </tbody>
</table>
{% endblock %}"""

DUTCH = {
    "title": "Persoonlijk plan inburgering en participatie",
    "sentence": "Mevrouw Özdemir leert Nederlands op niveau B1 en volgt de module Arbeidsmarkt en Participatie.",
    "goal": "Leerdoel", "activity": "Taalles drie keer per week",
}
ARABIC = {
    "title": "خطة الاندماج والمشاركة",
    "sentence": "هذه هي خطة السيدة فاطمة. ستتعلم اللغة الهولندية حتى المستوى B1 في مدينة أوتريخت.",
    "goal": "هدف تعليمي", "activity": "دروس اللغة ثلاث مرات في الأسبوع",
}
TIGRINYA = {
    "title": "ናይ ምውህሃድ መደብ",
    "sentence": "እዚ ናይ ወይዘሮ ሳባ መደብ እዩ። ሆላንድኛ ክሳብ ደረጃ B1 ክትመሃር እያ።",
    "goal": "ዕላማ ትምህርቲ", "activity": "ትምህርቲ ቋንቋ ሰለስተ ግዜ ኣብ ሰሙን",
}


def document_html(lang: str, texts: dict, repeat: int = 25, **footer) -> str:
    context = footer_context(lang=lang, verify_url=VERIFY_URL, verification_code=CODE,
                             qr_url=f"{VERIFY_URL}?code={CODE}", **footer)
    return template_environment().from_string(DOCUMENT).render(**context, **texts, repeat=repeat)


@pytest.fixture(scope="module")
def dutch_html() -> str:
    return document_html("nl", DUTCH)


@pytest.fixture(scope="module")
def dutch_pdf(dutch_html) -> bytes:
    return render_pdf(dutch_html)


@pytest.fixture(scope="module")
def arabic_pdf() -> bytes:
    return render_pdf(document_html("ar", ARABIC, verification_text="تحقق من هذه الوثيقة على {url} بالرمز {code}",
                                    page_of="صفحة {page} من {pages}"))


@pytest.fixture(scope="module")
def tigrinya_pdf() -> bytes:
    return render_pdf(document_html("ti", TIGRINYA))


@pytest.fixture(scope="module")
def seal_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seal")
    key, cert = folder / "dev-seal.key", folder / "dev-seal.crt"
    generate_dev_certificate(key, cert)
    return key, cert


@pytest.fixture(scope="module")
def sealed_pdf(dutch_pdf, seal_files) -> bytes:
    return seal_pdf(dutch_pdf, *seal_files)


def heading_x(pdf: bytes, needle: str) -> tuple[float, float]:
    """(x where the first text run containing ``needle`` starts on page 1, page width), in points."""
    page = PdfReader(BytesIO(pdf)).pages[0]
    found: list[float] = []

    def visit(text, cm, tm, font, size):
        if needle in text and not found:
            found.append(tm[4] * cm[0] + cm[4])

    page.extract_text(visitor_text=visit)
    assert found, f"{needle!r} not on page 1"
    return found[0], float(page.mediabox.width)


# --- Rendering ---------------------------------------------------------------------------------

def test_dutch_pdf_has_two_pages_extractable_text_and_the_footer_on_every_page(dutch_pdf):
    pages = page_texts(dutch_pdf)
    assert len(pages) == 2
    assert DUTCH["sentence"] in " ".join(extract_text(dutch_pdf).split())  # the sentence wraps
    for number, text in enumerate(pages, start=1):
        assert text.count(CODE) == 1, f"verification code once on page {number}"
        assert f"Controleer dit document op {VERIFY_URL} met code {CODE}" in text
        assert f"pagina {number} van 2" in text
    assert {"Noto-Sans", "Noto-Sans-Bold"} <= embedded_fonts(dutch_pdf)
    reader = PdfReader(BytesIO(dutch_pdf))
    assert reader.trailer["/Root"]["/Lang"] == "nl"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged PDF
    assert reader.metadata.title == DUTCH["title"]
    x, width = heading_x(dutch_pdf, "Persoonlijk plan")
    assert x < width / 4, "left-to-right: the heading starts at the left margin"


def largest_path(page, reader) -> int:
    """The most subpaths (moveto operators) in one painted path on the page.

    WeasyPrint draws the SVG QR code inline as one path of many short runs (one ``m`` per run);
    borders and rules are one subpath each.
    """
    from pypdf.generic import ContentStream

    largest = current = 0
    for _operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"m":
            current += 1
        elif operator in {b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"n"}:
            largest, current = max(largest, current), 0
    return largest


def test_qr_code_is_drawn_on_every_page(dutch_pdf):
    reader = PdfReader(BytesIO(dutch_pdf))
    assert all(largest_path(page, reader) > 50 for page in reader.pages)
    without_qr = render_pdf("<!doctype html><html lang='nl'><body><table><tr><td>1</td></tr></table></body></html>")
    empty = PdfReader(BytesIO(without_qr))
    assert largest_path(empty.pages[0], empty) < 5, "the measure does not count table borders"


def test_arabic_pdf_is_right_to_left_with_an_arabic_font(arabic_pdf):
    pages = page_texts(arabic_pdf)
    assert len(pages) == 2
    text = extract_text(arabic_pdf)
    assert ARABIC["title"] in text
    assert "دروس اللغة" in text
    assert {"Noto-Naskh-Arabic", "Noto-Naskh-Arabic-Bold"} <= embedded_fonts(arabic_pdf)
    for text in pages:
        assert text.count(CODE) == 1
        assert "تحقق من هذه الوثيقة" in text
    x, width = heading_x(arabic_pdf, ARABIC["title"])
    assert x > width / 2, "right-to-left: the heading is set against the right margin"
    assert PdfReader(BytesIO(arabic_pdf)).trailer["/Root"]["/Lang"] == "ar"


def test_tigrinya_pdf_uses_the_ethiopic_font(tigrinya_pdf):
    pages = page_texts(tigrinya_pdf)
    assert len(pages) == 2
    text = extract_text(tigrinya_pdf)
    assert TIGRINYA["title"] in text
    assert "ሆላንድኛ" in text
    assert "Noto-Sans-Ethiopic" in embedded_fonts(tigrinya_pdf)
    assert all(page.count(CODE) == 1 for page in pages)
    assert all("Controleer dit document" in page for page in pages), "no translation given: Dutch footer"


@pytest.mark.parametrize(("lang", "sentence"), [
    ("tr", "Şükrü İstanbul'da ığdır çöğüş öğreniyor."),
    ("uk", "Ґанна вивчає нідерландську: їжак, єнот, Україна."),
])
def test_turkish_and_ukrainian_letters_come_back(lang, sentence):
    pdf = render_pdf(document_html(lang, {**DUTCH, "title": sentence, "sentence": sentence}, repeat=1))
    assert sentence in extract_text(pdf)
    assert embedded_fonts(pdf) <= {"Noto-Sans", "Noto-Sans-Bold"}


def test_the_same_html_gives_the_same_bytes(dutch_html, dutch_pdf):
    # WeasyPrint writes no creation date unless the HTML asks for one, and /ID is a content hash.
    assert hashlib.sha256(render_pdf(dutch_html)).digest() == hashlib.sha256(dutch_pdf).digest()
    assert b"/CreationDate" not in dutch_pdf


def test_rendering_logs_no_weasyprint_warnings(caplog):
    # An unsupported CSS property or a missing font is only logged by WeasyPrint: catch it here.
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_pdf(document_html("ar", ARABIC, repeat=1))
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


@pytest.mark.parametrize("src", ["https://example.invalid/logo.png", "file:///etc/passwd"])
def test_remote_and_outside_files_are_not_loaded(src):
    html = f'<!doctype html><html lang="nl"><body><img src="{src}" alt="x"><p>Tekst</p></body></html>'
    with pytest.raises(PdfResourceError):
        render_pdf(html)


def test_qr_svg_data_uri():
    uri = qr_svg_data_uri(f"{VERIFY_URL}?code={CODE}")
    assert uri.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(uri.split(",", 1)[1])
    assert svg.startswith(b"<svg") and b"<path" in svg
    assert qr_svg_data_uri(f"{VERIFY_URL}?code={CODE}") == uri


def test_text_direction_covers_the_portal_rtl_locales():
    assert all(text_direction(locale) == "rtl" for locale in RTL_LOCALES)
    assert text_direction("ti") == text_direction("nl") == text_direction("uk") == "ltr"


def test_footer_context_escapes_translations():
    context = footer_context(lang="nl", verify_url=VERIFY_URL, verification_code=CODE,
                             verification_text="<b>Check</b> {url} {code}")
    assert "&lt;b&gt;Check" in context["verification_text"]
    assert f'<bdi dir="ltr">{VERIFY_URL}</bdi>' in context["verification_text"]


# --- Seal -------------------------------------------------------------------------------------

def test_dev_certificate_is_made_once_with_a_private_key_file(tmp_path):
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    generate_dev_certificate(key, cert, organisation="Gemeente Testdorp (ontwikkel)")
    assert b"BEGIN PRIVATE KEY" in key.read_bytes() and b"BEGIN CERTIFICATE" in cert.read_bytes()
    assert key.stat().st_mode & 0o077 == 0
    before = (key.read_bytes(), cert.read_bytes())
    generate_dev_certificate(key, cert)
    assert (key.read_bytes(), cert.read_bytes()) == before

    from cryptography import x509

    parsed = x509.load_pem_x509_certificate(cert.read_bytes())
    assert "Gemeente Testdorp (ontwikkel)" in parsed.subject.rfc4514_string()
    assert 729 <= (parsed.not_valid_after_utc - parsed.not_valid_before_utc).days <= 731


def test_dev_certificate_without_its_key_is_an_error(tmp_path):
    generate_dev_certificate(tmp_path / "k.pem", tmp_path / "c.pem")
    (tmp_path / "k.pem").unlink()
    with pytest.raises(FileNotFoundError):
        generate_dev_certificate(tmp_path / "k.pem", tmp_path / "c.pem")


def test_sealed_pdf_checks_out(dutch_pdf, sealed_pdf, seal_files):
    assert sealed_pdf.startswith(dutch_pdf), "incremental update: the rendered bytes stay as they were"
    check = check_seal(sealed_pdf, seal_files[1])
    assert check == SealCheck(intact=True, valid=True, covers_whole_file=True, signer=check.signer, error=None)
    assert check.ok
    assert "Gemeente (ontwikkelcertificaat)" in check.signer
    assert page_texts(sealed_pdf) == page_texts(dutch_pdf)


def test_sealed_pdf_is_pades(sealed_pdf):
    from pyhanko.pdf_utils.reader import PdfFileReader

    signature = PdfFileReader(BytesIO(sealed_pdf)).embedded_signatures[0]
    assert signature.field_name == "GemeenteZegel"
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.sig_object["/Reason"] == "Gewaarmerkt door de gemeente"


def test_a_flipped_byte_breaks_the_seal(dutch_pdf, sealed_pdf, seal_files):
    position = len(dutch_pdf) // 2  # inside the rendered document, so inside the signed byte range
    tampered = bytearray(sealed_pdf)
    tampered[position] ^= 0x01
    check = check_seal(bytes(tampered), seal_files[1])
    assert not (check.intact and check.valid)
    assert not check.ok and check.error


def test_an_incremental_update_after_sealing_is_detected(sealed_pdf, seal_files):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(sealed_pdf))
    info = writer.trailer["/Info"].get_object()
    info["/Title"] = generic.TextStringObject("Een ander plan")
    writer.update_container(info)
    updated = BytesIO()
    writer.write(updated)

    check = check_seal(updated.getvalue(), seal_files[1])
    assert check.intact and check.valid, "the sealed revision itself is untouched"
    assert not check.covers_whole_file and not check.ok
    assert "after sealing" in check.error


def test_bytes_appended_after_sealing_are_detected(sealed_pdf, seal_files):
    check = check_seal(sealed_pdf + b"\n%% appended\n", seal_files[1])
    assert not check.covers_whole_file and not check.ok


def test_a_seal_by_another_certificate_is_not_valid(sealed_pdf, tmp_path):
    generate_dev_certificate(tmp_path / "other.key", tmp_path / "other.crt")
    check = check_seal(sealed_pdf, tmp_path / "other.crt")
    assert check.intact and not check.valid and not check.ok
    assert "another certificate" in check.error


def test_unsigned_pdf_has_no_seal(dutch_pdf, seal_files):
    check = check_seal(dutch_pdf, seal_files[1])
    assert not check.intact and not check.valid and not check.ok
    assert "no seal" in check.error


@pytest.mark.parametrize("data", [
    b"",
    os.urandom(4096),
    b"%PDF-1.7\n" + os.urandom(4096),
    "not bytes",
], ids=["empty", "random", "pdf-header-then-random", "str"])
def test_garbage_never_raises(data, seal_files):
    check = check_seal(data, seal_files[1])
    assert not check.intact and not check.ok and check.error


def test_truncated_sealed_pdf_never_raises(sealed_pdf, seal_files):
    for length in (100, len(sealed_pdf) // 2, len(sealed_pdf) - 50):
        check = check_seal(sealed_pdf[:length], seal_files[1])
        assert not check.ok and check.error


def test_missing_certificate_file_is_reported_not_raised(sealed_pdf, tmp_path):
    check = check_seal(sealed_pdf, tmp_path / "missing.crt")
    assert not check.ok and "certificate" in check.error
