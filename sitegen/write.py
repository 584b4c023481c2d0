"""The one step with side effects on the output folder: nothing is replaced until all is ready.

A build that changes much of the site is staged in a folder beside the output and swapped in
whole. A build that changes a few files writes each beside its target and renames them all into
place at the end. Either way a failed build leaves the output exactly as it was, files whose
bytes did not change keep their inode and time, and files sitegen did not write are kept.
"""

from __future__ import annotations

import os
import shutil
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import Written
from .errors import BuildFailed, error

MANIFEST = ".sitegen-files"  # what the last build wrote, so that nothing else is ever deleted
PROTECTED = ("content", "themes", "locales", "static")
_NEW = ".sitegen-new"


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: int  # files whose bytes changed or are new
    unchanged: int
    removed: int  # files of the previous build that this one no longer has
    renewed: tuple[str, ...] = ()  # files made again or removed: what a live preview reloads


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


class OutputWriter:
    """Collects a build's files and puts them in place in one step at `commit()`."""

    def __init__(self, out_dir: Path, written_before: dict[str, Written],
                 lock: AbstractContextManager[Any] | None = None, verify: bool = True) -> None:
        self.out_dir = out_dir.absolute()
        self.lock = lock or nullcontext()  # held while files are put in place
        self.verify = verify  # look at each kept file's size and time
        if not verify and written_before:  # a folder only sitegen writes: the record is true
            self.owned, self.before = set(written_before), written_before
        else:
            self.owned = _previous_files(self.out_dir)
            # What the cache remembers counts only for files sitegen wrote, unchanged since.
            self.before = {p: w for p, w in written_before.items() if p in self.owned}
        self.files: dict[str, Written] = {}
        self.pending: list[str] = []
        self.staging: Path | None = None
        self.unchanged = 0
        self.renewed: list[str] = []

    def keep(self, wanted: dict[str, str]) -> set[str]:
        """Keep, as they are, the files the output already holds made from the same key
        (path -> key); returns the paths that must be written."""
        before = self.before
        kept = {path: found for path, key in wanted.items()
                if (found := before.get(path)) is not None and found.key == key}
        if self.verify:
            kept = {path: found for path, found in kept.items() if self._intact(path, found)}
        self.files.update(kept)
        self.unchanged += len(kept)
        return wanted.keys() - kept.keys()

    def _intact(self, path: str, written: Written) -> bool:
        try:
            stat = os.stat(f"{self.out_dir}/{path}")
        except OSError:
            return False
        return (stat.st_size, stat.st_mtime_ns) == (written.size, written.mtime_ns)

    def plan(self, changes: int, total: int) -> None:
        """Stage a whole new tree when much changes; otherwise replace files one by one."""
        if not self.out_dir.exists() or changes > max(64, total // 10):
            self.staging = self.out_dir.parent / f".{self.out_dir.name}.sitegen-staging"
            _remove(self.staging)
            self.staging.mkdir(parents=True)

    def put(self, path: str, data: bytes, key: str) -> None:
        self.wrote(path, *write_file(self.target(path), data, key, self.existing(path)))

    def existing(self, path: str) -> str | None:
        """The file of the previous build at `path`, if sitegen wrote it."""
        return f"{self.out_dir}/{path}" if path in self.owned else None

    def target(self, path: str) -> str:
        """Where the new bytes of `path` go until commit(); other processes may write there."""
        if self.staging is not None:
            return f"{self.staging}/{path}"
        return f"{self.out_dir}/{path}{_NEW}"

    def wrote(self, path: str, written: Written, changed: bool = True) -> None:
        """Record a file written to target(path), by this process or a worker; an unchanged
        one stays where it is."""
        self.files[path] = written
        self.renewed.append(path)
        if not changed:
            self.unchanged += 1
        elif self.staging is None:
            self.pending.append(path)

    def copy(self, path: str, source: str, key: str) -> None:
        target = Path(self.target(path))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        stat = target.stat()
        self.wrote(path, Written(key, stat.st_size, stat.st_mtime_ns))

    def commit(self) -> WriteReport:
        clashes = sorted(p for p in self.files.keys() - self.owned if (self.out_dir / p).exists())
        if clashes:
            raise BuildFailed([error(str(self.out_dir / p), None,
                                     "this file was not written by sitegen and the build would "
                                     "replace it; move it away") for p in clashes])
        removed = sorted(self.owned - self.files.keys())
        with self.lock:
            if self.staging is not None:
                self._commit_staged(_foreign_files(self.out_dir, self.owned))
            else:
                self._commit_in_place(removed)
        return WriteReport(len(self.files) - self.unchanged, self.unchanged, len(removed),
                           tuple(sorted(self.renewed + removed)))

    def abort(self) -> None:
        """Leave the output exactly as it was."""
        if self.staging is not None:
            _remove(self.staging)
        for path in self.pending:
            (self.out_dir / (path + _NEW)).unlink(missing_ok=True)

    def _commit_staged(self, foreign: list[str]) -> None:
        assert self.staging is not None
        for path in [p for p in self.files if not (self.staging / p).exists()] + foreign:
            target = self.staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(self.out_dir / path, target)
        _write_manifest(self.staging, self.files)
        old = self.out_dir.parent / f".{self.out_dir.name}.sitegen-old"
        _remove(old)
        if self.out_dir.exists():
            os.replace(self.out_dir, old)
        os.replace(self.staging, self.out_dir)
        _remove(old)

    def _commit_in_place(self, removed: list[str]) -> None:
        for path in self.pending:
            os.replace(self.out_dir / (path + _NEW), self.out_dir / path)
        for path in removed:
            (self.out_dir / path).unlink(missing_ok=True)
            _prune_empty_parents(self.out_dir, path)
        if self.files.keys() != self.owned or not (self.out_dir / MANIFEST).exists():
            _write_manifest(self.out_dir, self.files)


def write_file(target: str, data: bytes, key: str,
               existing: str | None = None) -> tuple[Written, bool]:
    """Write one output file (creating its folder) unless `existing` already holds these bytes;
    says what is now there and whether it changed."""
    if existing is not None:
        try:
            stat = os.stat(existing)
            if stat.st_size == len(data):
                with open(existing, "rb") as old:
                    if old.read() == data:
                        return Written(key, stat.st_size, stat.st_mtime_ns), False
        except OSError:
            pass
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        stat = os.fstat(fd)
    finally:
        os.close(fd)
    return Written(key, stat.st_size, stat.st_mtime_ns), True


def _previous_files(out_dir: Path) -> set[str]:
    manifest = out_dir / MANIFEST
    if manifest.is_file():
        return set(manifest.read_text("utf-8").splitlines())
    if out_dir.exists() and not out_dir.is_dir():
        raise BuildFailed([error(str(out_dir), None, "the output path is a file, not a folder")])
    if out_dir.is_dir() and any(out_dir.iterdir()):
        raise BuildFailed([error(str(out_dir), None,
                                 "this folder already holds files that sitegen did not write; "
                                 "empty it or choose another output folder")])
    return set()


def _foreign_files(out_dir: Path, owned: set[str]) -> list[str]:
    """Files in the output that no sitegen build wrote: they are carried over untouched."""
    if not owned:
        return []
    found = []
    for folder, _, names in os.walk(out_dir):
        for name in names:
            rel = (Path(folder) / name).relative_to(out_dir).as_posix()
            if rel != MANIFEST and rel not in owned and not rel.endswith(_NEW):
                found.append(rel)
    return sorted(found)


def _write_manifest(folder: Path, files: dict[str, Written]) -> None:
    temporary = folder / (MANIFEST + _NEW)
    temporary.write_text("".join(f"{path}\n" for path in sorted(files)), "utf-8")
    os.replace(temporary, folder / MANIFEST)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _prune_empty_parents(root: Path, path: str) -> None:
    folder = (root / path).parent
    while folder != root:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
