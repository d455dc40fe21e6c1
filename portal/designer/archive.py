"""A draft as a zip of ``workflows/`` (``bpmn/*.bpmn``, ``forms/*.json``), out and in.

The zip keeps Camunda Modeler and git in the loop: export, edit elsewhere, import. An imported zip is
hostile until proven otherwise, so every limit is checked before a byte is decompressed, and again
while reading (the sizes in a zip's directory can lie): the upload's size, the number of entries, each
entry's and the total uncompressed size, and the compression ratio (a zip bomb). Names must be
``[workflows/]bpmn/<name>.bpmn`` or ``[workflows/]forms/<name>.json``; nothing is ever written to disk.
"""

from __future__ import annotations

import io
import zipfile

from flask_babel import gettext as _

from portal.designer.drafts import MAX_FILE_CHARS, MAX_FILES, DraftError, check_files

#: The largest zip accepted (compressed), the most entries, the largest total uncompressed size and
#: the highest compression ratio of an entry larger than RATIO_FLOOR bytes (XML compresses ~10:1).
MAX_ZIP_BYTES = 10 * 1024 * 1024
MAX_ENTRIES = MAX_FILES + 20  # room for folder entries
MAX_TOTAL_BYTES = 40 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 64 * 1024
PREFIX = "workflows/"
#: A fixed moment for every entry, so exporting the same files gives the same bytes.
_EPOCH = (2020, 1, 1, 0, 0, 0)


class ArchiveError(DraftError):
    """The zip cannot be imported; the message says why, in words the designer can act on."""


def export_zip(files: dict[str, str]) -> bytes:
    """The files as ``workflows/bpmn/…`` and ``workflows/forms/…`` in a zip (sorted, fixed dates)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(PREFIX + name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name].encode("utf-8"))
    return buffer.getvalue()


def _name(entry: str) -> str:
    """The files-mapping name of a zip entry (``workflows/`` dropped); hostile names are refused."""
    if entry.startswith("/") or "\\" in entry or ".." in entry.split("/") or ":" in entry or "\0" in entry:
        raise ArchiveError(_("Ongeldige bestandsnaam in het zip-bestand: %(name)s", name=entry[:200]))
    return entry.removeprefix(PREFIX)


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """The entry's bytes, never more than its limit however its header lies."""
    limit = min(MAX_FILE_CHARS * 4, budget)  # a character takes at most four bytes in UTF-8
    with archive.open(info) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit or len(data.decode("utf-8", errors="ignore")) > MAX_FILE_CHARS:
        raise ArchiveError(_("%(name)s is te groot (of het zip-bestand is samen te groot).", name=info.filename))
    return data


def import_zip(data: bytes) -> dict[str, str]:
    """The files in a zip of ``workflows/``, checked as :func:`portal.designer.drafts.check_files` does.

    :raises ArchiveError: not a zip, too large, too many entries, a zip bomb, a name outside
        ``bpmn/*.bpmn`` and ``forms/*.json``, a file that is not UTF-8, or no BPMN file at all.
    """
    if len(data) > MAX_ZIP_BYTES:
        raise ArchiveError(_("Het zip-bestand is groter dan %(size)d MB.", size=MAX_ZIP_BYTES // (1024 * 1024)))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise ArchiveError(_("Dit is geen (leesbaar) zip-bestand. Kies een zip van de map workflows/.")) from None
    if len(infos) > MAX_ENTRIES:
        raise ArchiveError(_("Het zip-bestand heeft %(count)d bestanden; het mogen er hoogstens %(max)d zijn.",
                             count=len(infos), max=MAX_ENTRIES))
    declared = sum(info.file_size for info in infos)
    if declared > MAX_TOTAL_BYTES:
        raise ArchiveError(_("Uitgepakt is het zip-bestand groter dan %(size)d MB.",
                             size=MAX_TOTAL_BYTES // (1024 * 1024)))
    files: dict[str, str] = {}
    budget = MAX_TOTAL_BYTES
    with archive:
        for info in infos:
            name = _name(info.filename)
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                raise ArchiveError(_("%(name)s is versleuteld; importeer een zip zonder wachtwoord.", name=name))
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise ArchiveError(_("%(name)s is verdacht sterk ingepakt (een zip-bom?); het is niet geïmporteerd.",
                                     name=name))
            if name in files:
                raise ArchiveError(_("%(name)s staat twee keer in het zip-bestand.", name=name))
            try:
                raw = _read(archive, info, budget)
            except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, RuntimeError):
                raise ArchiveError(_("%(name)s is niet uit te pakken (beschadigd of een onbekende "
                                     "compressie).", name=name)) from None
            budget -= len(raw)
            try:
                files[name] = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ArchiveError(_("%(name)s is geen UTF-8-tekst.", name=name)) from None
    if not any(name.endswith(".bpmn") for name in files):
        raise ArchiveError(_("Het zip-bestand heeft geen BPMN-bestanden (workflows/bpmn/*.bpmn)."))
    check_files(files)
    return files
