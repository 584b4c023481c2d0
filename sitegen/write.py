"""The one step with side effects: stage the new output beside the old one, then swap it in.

A failed or interrupted build never leaves a half-written output folder, files whose bytes did
not change keep their inode and modification time, and files sitegen did not write are kept.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildFailed, error

MANIFEST = ".sitegen-files"  # what the last build wrote, so that nothing else is ever deleted
PROTECTED = ("content", "themes", "locales", "static")


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: int  # files whose bytes changed or are new
    unchanged: int
    removed: int  # files of the previous build that this one no longer has


def check_output_dir(site_dir: Path, out_dir: Path) -> None:
    """Refuse output folders whose replacement would destroy the site itself."""
    site, out = site_dir.resolve(), out_dir.resolve()
    reason = None
    if out == site:
        reason = "it is the site folder"
    elif out in site.parents:
        reason = "it contains the site folder"
    else:
        for name in PROTECTED:
            if out == site / name or (site / name) in out.parents:
                reason = f"it is inside the site's {name}/ folder"
    if reason:
        raise BuildFailed([error(str(out_dir), None, f"refusing to build into {out_dir}: {reason}; "
                                                     "choose another output folder")])


def commit(files: dict[str, bytes], out_dir: Path) -> WriteReport:
    out_dir = out_dir.absolute()
    previous = _previous_files(out_dir)
    foreign = _foreign_files(out_dir, previous)
    clashes = sorted(set(foreign) & set(files))
    if clashes:
        raise BuildFailed([error(str(out_dir / p), None, "this file was not written by sitegen and "
                                                         "the build would replace it; move it away")
                           for p in clashes])
    staging = out_dir.parent / f".{out_dir.name}.sitegen-staging"
    _remove(staging)
    written = unchanged = 0
    try:
        for rel, data in sorted(files.items()):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if _same_bytes(out_dir / rel, data) and _link(out_dir / rel, target):
                unchanged += 1
            else:
                target.write_bytes(data)
                written += 1
        for rel in foreign:
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            _link(out_dir / rel, staging / rel) or shutil.copy2(out_dir / rel, staging / rel)
        (staging / MANIFEST).write_text("".join(f"{rel}\n" for rel in sorted(files)), "utf-8")
        _swap(staging, out_dir)
    finally:
        _remove(staging)
    removed = len(previous - set(files))
    return WriteReport(written, unchanged, removed)


def _previous_files(out_dir: Path) -> set[str]:
    manifest = out_dir / MANIFEST
    if manifest.is_file():
        return set(manifest.read_text("utf-8").splitlines())
    if out_dir.is_dir() and any(out_dir.iterdir()):
        raise BuildFailed([error(str(out_dir), None,
                                 "this folder already holds files that sitegen did not write; "
                                 "empty it or choose another output folder")])
    if out_dir.exists() and not out_dir.is_dir():
        raise BuildFailed([error(str(out_dir), None, "the output path is a file, not a folder")])
    return set()


def _foreign_files(out_dir: Path, previous: set[str]) -> list[str]:
    if not previous:
        return []
    found = []
    for folder, _, names in os.walk(out_dir):
        for name in names:
            rel = (Path(folder) / name).relative_to(out_dir).as_posix()
            if rel != MANIFEST and rel not in previous:
                found.append(rel)
    return sorted(found)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _link(source: Path, target: Path) -> bool:
    try:
        os.link(source, target)
        return True
    except OSError:
        return False


def _swap(staging: Path, out_dir: Path) -> None:
    old = out_dir.parent / f".{out_dir.name}.sitegen-old"
    _remove(old)
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    _remove(old)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
