"""QR codes as inline SVG ``data:`` URIs (no file, no network; the CSP allows ``data:`` images)."""

from __future__ import annotations

import base64
from io import BytesIO

import segno


def qr_svg_data_uri(text: str, scale: int = 1) -> str:
    """``text`` as a QR code: error correction M, black on transparent, a 4-module quiet zone (the
    standard's minimum); ``scale`` pixels per module (a PDF scales the SVG itself, a screen wants 4)."""
    buffer = BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="svg", border=4, xmldecl=False, svgns=True,
                                                   nl=False, scale=scale)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
