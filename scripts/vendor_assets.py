"""Copy the front-end files the portal serves from ``node_modules/`` into ``portal/static/vendor/``.

Run ``npm ci`` first, then ``python scripts/vendor_assets.py``. The portal loads nothing from a CDN:
every stylesheet, script and font it needs is copied here and served by Flask. The vendor folder is
ignored by git and rebuilt by this script (it is idempotent: each package folder is replaced whole),
and a ``NOTICE`` file lists each package with its version and licence.

Only the standard library is used, so the script runs before the virtualenv exists.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "portal" / "static" / "vendor"


@dataclass(frozen=True)
class Package:
    """One npm package and the files of it the portal serves.

    :param name: the npm package name.
    :param folder: the folder under ``portal/static/vendor/``.
    :param files: ``source path inside the package → target path inside folder``; a source that is
        a directory is copied whole, minus ``exclude``.
    :param licence_note: replaces the ``license`` field of package.json in NOTICE when that field
        only points at a file.
    """

    name: str
    folder: str
    files: dict[str, str]
    exclude: tuple[str, ...] = ()
    licence_files: tuple[str, ...] = ("LICENSE", "LICENSE.md")
    licence_note: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


PACKAGES = (
    Package(
        name="@utrecht/component-library-css",
        folder="utrecht-component-library-css",
        files={"dist/index.css": "index.css"},
        notes=("All Utrecht component CSS in one file; the theme comes from the Voorbeeld tokens.",),
    ),
    Package(
        name="@nl-design-system-unstable/voorbeeld-design-tokens",
        folder="voorbeeld-design-tokens",
        files={"dist/theme.css": "theme.css"},
        notes=("Design tokens scoped to the class `voorbeeld-theme` (set on <html>).",),
    ),
    Package(
        name="bpmn-js",
        folder="bpmn-js",
        files={
            "dist/bpmn-navigated-viewer.production.min.js": "bpmn-navigated-viewer.production.min.js",
            "dist/bpmn-modeler.production.min.js": "bpmn-modeler.production.min.js",
            "dist/assets/diagram-js.css": "assets/diagram-js.css",
            "dist/assets/bpmn-js.css": "assets/bpmn-js.css",
            "dist/assets/bpmn-font": "assets/bpmn-font",
        },
        # The embedded variant inlines the icon font as a data: URL, which the CSP (font-src 'self')
        # blocks; bpmn-font/css/bpmn.css loads the font files copied next to it instead.
        exclude=("bpmn-embedded.css",),
        licence_note="bpmn.io License (MIT terms plus: the bpmn.io watermark must stay fully visible)",
        notes=("The UMD bundles include diagram-js, bpmn-moddle, min-dash and other MIT-licensed helpers.",),
    ),
    Package(
        name="axe-core",
        folder="axe-core",
        files={"axe.min.js": "axe.min.js"},
        licence_files=("LICENSE", "LICENSE-3RD-PARTY.txt"),
        notes=("Used only by the accessibility tests; never loaded by portal pages.",),
    ),
)


class VendorError(Exception):
    """A problem the person running the script can fix; printed without a traceback."""


def _package_dir(name: str) -> Path:
    return NODE_MODULES.joinpath(*name.split("/"))


def _pinned_versions() -> dict[str, str]:
    manifest = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    return manifest.get("dependencies", {}) | manifest.get("devDependencies", {})


def _read_manifest(package: Package, pinned: dict[str, str]) -> dict:
    source = _package_dir(package.name)
    manifest_path = source / "package.json"
    if not manifest_path.is_file():
        raise VendorError(f"{package.name} is not installed in {NODE_MODULES}: run npm ci first.")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    wanted = pinned.get(package.name)
    if wanted and manifest["version"] != wanted:
        raise VendorError(
            f"{package.name} {manifest['version']} is installed but package.json pins {wanted}: run npm ci first."
        )
    return manifest


def _copy(package: Package, target: Path) -> None:
    source = _package_dir(package.name)
    for src_rel, dst_rel in package.files.items():
        src, dst = source / src_rel, target / dst_rel
        if not src.exists():
            raise VendorError(f"{package.name} has no {src_rel}; did the package layout change?")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns(*package.exclude))
        else:
            shutil.copy2(src, dst)
    for name in package.licence_files:
        if (source / name).is_file():
            shutil.copy2(source / name, target / name)


def _notice(entries: list[tuple[Package, dict]]) -> str:
    lines = [
        "Third-party front-end files in this folder",
        "==========================================",
        "",
        "Copied from node_modules/ by scripts/vendor_assets.py (run `npm ci` first). Do not edit or commit",
        "these files; change the pinned versions in package.json and run the script again.",
        "",
    ]
    for package, manifest in entries:
        licence = package.licence_note or manifest.get("license", "see the package")
        lines += [
            f"{package.name} {manifest['version']}",
            f"  folder:  {package.folder}/",
            f"  licence: {licence}",
            f"  files:   {', '.join(sorted(package.files.values()))}",
        ]
        lines += [f"  note:    {note}" for note in package.notes]
        lines.append("")
    return "\n".join(lines)


def vendor() -> list[Path]:
    """Copy every package's files into ``VENDOR`` and write ``NOTICE``; returns the folders written."""
    if not NODE_MODULES.is_dir():
        raise VendorError(f"{NODE_MODULES} does not exist: run npm ci first.")
    pinned = _pinned_versions()
    manifests = [(package, _read_manifest(package, pinned)) for package in PACKAGES]
    VENDOR.mkdir(parents=True, exist_ok=True)
    written = []
    for package, _manifest in manifests:
        target = VENDOR / package.folder
        if target.exists():
            shutil.rmtree(target)  # replaced whole, so files dropped by an upgrade do not linger
        target.mkdir(parents=True)
        _copy(package, target)
        written.append(target)
    (VENDOR / "NOTICE").write_text(_notice(manifests), encoding="utf-8")
    return written


def main() -> int:
    try:
        written = vendor()
    except VendorError as exc:
        print(f"vendor_assets: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"vendor_assets: wrote {path.relative_to(ROOT)}/")
    print(f"vendor_assets: wrote {(VENDOR / 'NOTICE').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
