"""Printable documents: HTML (from ``templates/pdf/base.html``) to PDF bytes with WeasyPrint.

Pure functions, no Flask: the caller renders the template (``render_template`` in a view, or
:func:`template_environment` outside an app), then calls :func:`render_pdf` once and stores the bytes.
Those stored bytes are what is hashed, signed and sealed; never re-render a signed version.

Fonts come from fontconfig (Debian ``fonts-noto-core``): ``static/css/pdf.css`` names Noto families
for Latin/Turkish/Cyrillic, Arabic script (Arabic, Persian) and Ethiopic (Tigrinya). Without that
package Tigrinya comes out as boxes.

Determinism: WeasyPrint writes no CreationDate/ModDate unless the HTML has ``dcterms.created`` /
``dcterms.modified`` meta tags (the base template has none), and the file identifier is a hash of
the content, so the same HTML with the same WeasyPrint, pydyf, Pango/HarfBuzz and font files gives
the same bytes. A library or font upgrade changes the bytes: the stored bytes, not a re-render, are
the document.
"""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2
from markupsafe import Markup, escape

from portal.qr import qr_svg_data_uri

PORTAL_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PORTAL_DIR / "templates"
STATIC_DIR = PORTAL_DIR / "static"
PDF_CSS = STATIC_DIR / "css" / "pdf.css"

#: Languages written right to left (a superset of ``portal.i18n.RTL_LOCALES``; kept here so this
#: module needs no Flask).
RTL_LANGUAGES = frozenset({"ar", "fa", "ps", "ur", "ckb", "he"})

#: Default footer texts (Dutch, the legal language). ``{page}``/``{pages}`` become CSS page counters.
DEFAULT_PAGE_OF = "pagina {page} van {pages}"
DEFAULT_VERIFICATION_TEXT = "Controleer dit document op {url} met code {code}"


def text_direction(lang: str) -> str:
    return "rtl" if lang.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


def _isolated(value: str) -> Markup:
    # URLs and codes are left-to-right runs; <bdi dir="ltr"> keeps them intact inside Arabic text.
    return Markup('<bdi dir="ltr">%s</bdi>') % value


def footer_context(
    *,
    lang: str,
    verify_url: str,
    verification_code: str,
    verification_text: str | None = None,
    page_of: str | None = None,
    qr_url: str | None = None,
) -> dict:
    """The variables ``pdf/base.html`` needs, for ``render_template(..., **footer_context(...))``.

    :param lang: BCP 47 language of the document (``nl``, ``ar``, ``ti``...); sets ``dir`` too.
    :param verify_url: where anyone can check the document (shown in the footer).
    :param verification_code: the code to enter there (shown in the footer on every page).
    :param verification_text: the translated sentence, with ``{url}`` and ``{code}`` placeholders
        (default: Dutch). Pass the *translated* template, e.g. ``_("Check this document at {url} ...")``.
    :param page_of: the translated "page X of Y" with ``{page}`` and ``{pages}`` placeholders.
    :param qr_url: what the QR code encodes (default ``verify_url``; typically with the code in it).
    """
    text = escape(verification_text or DEFAULT_VERIFICATION_TEXT)
    text = text.replace("{url}", _isolated(verify_url)).replace(
        "{code}", Markup('<bdi dir="ltr" class="pdf-code">%s</bdi>') % verification_code)
    pages = escape(page_of or DEFAULT_PAGE_OF)
    pages = pages.replace("{pages}", Markup('<span class="pdf-pages"></span>')).replace(
        "{page}", Markup('<span class="pdf-page"></span>'))
    return {
        "lang": lang,
        "dir": text_direction(lang),
        "verify_url": verify_url,
        "verification_code": verification_code,
        "verification_text": text,
        "page_of": pages,
        "qr_data_uri": qr_svg_data_uri(qr_url or verify_url),
    }


def template_environment() -> jinja2.Environment:
    """A Jinja environment on ``portal/templates`` for rendering PDF templates without a Flask app
    (tests, CLI). Autoescaping on, as in Flask; no ``_``/``url_for`` globals."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )


def _url_fetcher(allowed_dirs: Iterable[Path]):
    """A fetcher that reads only ``data:`` URIs and local files under ``allowed_dirs``: rendering
    never touches the network nor arbitrary files, whatever ends up in the HTML."""
    from weasyprint.urls import URLFetcher

    roots = [d.resolve() for d in allowed_dirs]

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if not any(path.is_relative_to(root) for root in roots):
                    raise ValueError(f"file outside the allowed folders: {url}")
            return super().fetch(url, headers)

    # fail_on_errors: a document that will be signed must not silently lose an image or stylesheet.
    return LocalOnlyFetcher(allowed_protocols={"data", "file"}, fail_on_errors=True)


class PdfResourceError(ValueError):
    """An image or stylesheet of the document could not be loaded (or was not allowed)."""


def render_pdf(
    html: str,
    base_url: str | None = None,
    *,
    stylesheets: Iterable[Path] | None = None,
) -> bytes:
    """Render an HTML document to PDF bytes (tagged PDF, A4 from ``pdf.css``).

    :param html: a complete HTML document, normally from ``pdf/base.html``.
    :param base_url: for relative URLs in ``html``; only ``file:`` URLs under ``portal/static`` (or the
        base folder) and ``data:`` URIs are loaded. A resource that fails to load raises
        :class:`PdfResourceError`.
    :param stylesheets: CSS files to apply (their folders may be read too); default
        ``portal/static/css/pdf.css``.
    """
    from weasyprint import CSS, HTML  # heavy import (Pango via cffi): only when rendering
    from weasyprint.urls import FatalURLFetchingError

    css_files = [Path(path) for path in (stylesheets or [PDF_CSS])]
    allowed = [STATIC_DIR, *(path.parent for path in css_files)]
    if base_url and urlsplit(base_url).scheme in ("", "file"):
        base = Path(unquote(urlsplit(base_url).path))
        allowed.append(base if base.is_dir() else base.parent)
    fetcher = _url_fetcher(allowed)
    try:
        sheets = [CSS(filename=str(path), url_fetcher=fetcher) for path in css_files]
        return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
            stylesheets=sheets,
            pdf_identifier=True,  # /ID = hash of the content: present (signers want one) and stable
            pdf_tags=True,  # structure tags: screen readers get headings, lists and tables
        )
    except FatalURLFetchingError as exc:  # a BaseException in WeasyPrint: make it an ordinary error
        raise PdfResourceError(f"{exc} ({exc.__cause__})") from exc.__cause__


def extract_text(pdf: bytes) -> str:
    """The text of every page, pages separated by form feeds (``\\f``)."""
    return "\f".join(page_texts(pdf))


def page_texts(pdf: bytes) -> list[str]:
    """The extracted text of each page (pypdf)."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(BytesIO(pdf)).pages]


def embedded_fonts(pdf: bytes) -> set[str]:
    """Base names of the fonts used on the pages, subset prefix removed (``NotoSansEthiopic``...)."""
    from pypdf import PdfReader

    names: set[str] = set()
    for page in PdfReader(BytesIO(pdf)).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            base = str(ref.get_object().get("/BaseFont", ""))
            names.add(base.lstrip("/").split("+", 1)[-1])
    return names
