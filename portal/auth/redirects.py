"""The one check for where the portal redirects to after login or a language change."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

#: Longer targets are not ours (and would not fit a Location header comfortably).
MAX_LENGTH = 2000


def _has_control(text: str) -> bool:
    # Cc: C0/C1 controls incl. tab, CR, LF, NUL; Cf: format characters such as bidi overrides.
    return any(unicodedata.category(char) in ("Cc", "Cf") for char in text)


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None.

    Browsers drop tabs and newlines, read ``\\`` as ``/`` and ``//host`` as another host, so a check of
    the raw text is not enough: every decoding layer (``%2F``, ``%252F`` …) is checked as well.
    """
    if not target or not isinstance(target, str) or len(target) > MAX_LENGTH:
        return None
    decoded, layers = target, [target]
    for _ in range(3):  # percent-decoding until it no longer changes
        decoded = unquote(decoded)
        if decoded == layers[-1]:
            break
        layers.append(decoded)
    for layer in layers:
        if _has_control(layer) or "\\" in layer or not layer.startswith("/") or layer.startswith("//"):
            return None
        parts = urlsplit(layer)
        if parts.scheme or parts.netloc:
            return None
    return target
