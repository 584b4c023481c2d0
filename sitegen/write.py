"""The one step with side effects on the output folder: a new tree is made aside and swapped in.

Whoever reads the output folder (a deploy, a web server, a browser) sees either the previous
build's tree or the new one, never a mixture, even if the build is killed: the new tree is
completed in a folder of its own on the same disk and exchanged with the output folder in one
atomic step (Linux's `renameat2(RENAME_EXCHANGE)`). The folder swapped out then holds the
previous tree; where the cache folder can keep it, the next build brings it up to date by
writing only what differs, so a build costs what changed rather than the size of the site.

Files whose bytes did not change keep their inode and time (they are hard links), files sitegen
did not write are carried over, and nothing outside the output folder and the folder it is
staged in is ever written or removed.

What the previous build wrote is known from its record: each file's key, size, time and the
digest of its bytes. A file whose size and time match is taken as it is; one whose time alone
changed (the folder was copied, or restored from a deploy's cache) is taken once its bytes match
the digest; any other is made again.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import os
import shutil
import stat as kinds
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import compress, repeat
from operator import eq, itemgetter, ne
from pathlib import Path
from typing import Any, NamedTuple

from .errors import BuildFailed, error

MANIFEST = ".sitegen-files"  # what the build wrote, so that nothing else is ever taken for its own
PROTECTED = ("content", "themes", "locales", "static")


class Written(NamedTuple):
    """One output file as the last build left it: the record that lets the next build keep it.
    A tuple, so that a site's hundred thousand records load without a call each."""

    key: str  # what it was made from: an output's fingerprint, or a copied file's signature
    size: int
    mtime_ns: int
    digest: str  # of its bytes: what still vouches for it once a copy of the folder has new times


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


def staging_dir(out_dir: Path) -> Path:
    """Where a new tree is made when no kept folder is at hand: beside the output, same disk."""
    out = out_dir.absolute()
    return out.parent / f".{out.name}.sitegen-staging"


class OutputWriter:
    """Makes the new tree in `back_dir` from what changed, and swaps it in at `commit()`.

    `written_before` is the record of the output folder (path -> Written); `mirrors`: the tree
    `back_dir` holds is the mirror the last build left of the output (`kept_tree()` true), whose
    files are links to the output's (or what says so once it is made: `Mirroring.take`). With
    `verify`, the output folder is looked at and a record counts only where the file still
    matches it; without it (a folder only sitegen touches, the live preview's), the records are
    trusted as they are. The mirror is believed where its
    manifest is still the output's own (the same file): a file changed in place changes in
    both, and the output's look finds it; else back_dir is made anew."""

    def __init__(self, out_dir: Path, written_before: dict[str, Written],
                 back_dir: Path | None = None, mirrors: bool | Callable[[], bool] = False,
                 verify: bool = True, jobs: int = 1) -> None:
        self.out_dir = out_dir.absolute()
        self.back_dir = back_dir.absolute() if back_dir is not None else staging_dir(out_dir)
        self.keeps_back = back_dir is not None  # the swapped-out tree is kept for the next build
        self.verify = verify
        self.foreign: dict[str, int] = {}  # files sitegen did not write (path -> st_mode)
        self.owned: AbstractSet[str]  # the files of the output that the last build wrote
        if verify or not written_before:
            files, others = _scan(self.out_dir, jobs if len(written_before) >= MANY else 1) \
                if _is_folder(self.out_dir) else ({}, {})
            self.owned = _previous_files(self.out_dir, files, others, written_before)
            self.before = _still_there(self.out_dir, written_before, files, self.owned)
            self.foreign = {p: kinds.S_IFREG for p in files.keys() - self.owned - {MANIFEST}}
            self.foreign.update(others)
        else:
            self.owned, self.before = written_before.keys(), written_before
        if callable(mirrors):  # a mirror being made: only now, once the output is looked at
            mirrors = mirrors()
        mirrored = self.keeps_back and mirrors and is_mirror(self.out_dir, self.back_dir)
        # What the kept tree holds, to take what the new tree needs and remove the rest: as
        # the output's record says (a file that failed its look goes all the same).
        self.back: dict[str, Written] = self.before if mirrored else {}
        self.recorded = written_before.keys()
        self.mirrors = bool(mirrored)
        self.files: dict[str, Written] = {}  # the new tree
        self.in_back: set[str] = set()  # already in back_dir as the new tree needs them
        self.linked: dict[str, Written] = {}  # unchanged files of the output, to link
        self.held: set[str] = set()  # left in the kept tree undecided (`hold`)
        self.writing: set[str] = set()  # to be made anew in back_dir
        self.unchanged = 0
        self.renewed: list[str] = []
        # The kept tree mirrors the new output, after the commit (or will say, once made).
        self.mirrored: bool | Mirroring = False
        self.prepared = self.committed = False
        # The kept tree mirrors the output, whose records are trusted: a build may keep every
        # file as it is but a few (keep_all_but), and look at nothing else.
        self.whole = False
        self.holds_all = bool(mirrored) and not verify and bool(written_before)

    def keep(self, wanted: dict[str, str]) -> set[str]:
        """Take every file whose bytes the output or the kept tree already holds for the same
        key (path -> key); returns the paths that must be written."""
        before, back = self.before, self.back
        # Compared a whole map at a time: a site's hundred thousand files, most of them held.
        held = compress(wanted, map(eq, map(_KEY, map(before.get, wanted, repeat(_NONE))),
                                    wanted.values()))
        same = {path: before[path] for path in held}
        # The kept tree mostly holds the very records of the output (the mirror: the same map).
        in_back = same.keys() if back is before else \
            {path for path, now in same.items() if back.get(path) == now}
        self.in_back.update(in_back)
        if len(in_back) < len(same):
            self.linked.update((path, same[path]) for path in same.keys() - in_back)
        self.files.update(same)
        self.unchanged += len(same)
        must = set()
        for path in wanted.keys() - same.keys():
            kept = back.get(path)
            if kept is not None and kept.key == wanted[path]:
                self.in_back.add(path)
                self.files[path] = kept
                self.renewed.append(path)
            else:
                must.add(path)
        self.writing |= must
        return must

    def keep_all_but(self, wanted: dict[str, str]) -> set[str]:
        """Take every file of the output as its record says, but these (path -> key): those
        whose key is not the record's are returned, to be written. Only where `holds_all`: the
        live preview's save, which changes nothing else, costs what it writes."""
        assert self.holds_all and not self.files
        self.whole = True
        must = {path for path, key in wanted.items()
                if (now := self.before.get(path)) is None or now.key != key}
        # Their records are replaced as they are written, not removed first: a dict with
        # nothing removed from it is copied whole (the next save's), ~5 times as fast.
        self.files = dict(self.before)
        self.unchanged = len(self.files) - len(must & self.files.keys())
        self.writing |= must
        return must

    def hold(self, paths: Iterable[str]) -> None:
        """Before plan(): leave these files of the output in the kept tree, undecided (a search
        index's, known to be unchanged only once its pages are rendered): relink() then takes
        them without a write, and commit() removes those it did not take."""
        self.held.update(paths)

    def plan(self) -> None:
        """Bring the kept tree to what it keeps and link the unchanged files: after this, only
        the files keep() returned are missing from the new tree."""
        if self.prepared:
            return
        self.prepared = True
        if self.whole:  # the kept tree holds every file already
            return
        back = self.back_dir
        if not self.in_back:
            _remove(back)
            if self.keeps_back and not _is_folder(back.parent):  # damaged: a miss
                _remove(back.parent)
            back.mkdir(parents=True)
        else:
            # Files written or linked anew replace theirs; only the others are removed here.
            there = (self.recorded | {MANIFEST}) if self.mirrors else set()
            for path in there - (self.in_back | self.writing | self.linked.keys() | self.held):
                _unlink(back, path)
        for path in self.linked:
            _link(f"{self.out_dir}/{path}", f"{back}/{path}")

    def relink(self, paths: Sequence[str]) -> bool:
        """After plan(): take the output's files into the new tree as they are, where it holds
        them all (files whose key is known only once others are rendered, as a search index's
        are); False, and none taken, where it does not."""
        found = [(path, self.before.get(path)) for path in paths]
        if any(written is None for _, written in found):
            return False
        for path, written in found:
            assert written is not None
            self.files[path] = written
            target = self.target(path)
            if path in self.held and self.mirrors and _matches(_lstat(target), written):
                continue  # the kept tree's file is the output's
            _unlink_file(target)
            _link(f"{self.out_dir}/{path}", target)
            self.linked[path] = written
        self.unchanged += len(found)
        return True

    def put(self, path: str, data: bytes, key: str) -> None:
        self.wrote(path, *write_file(self.target(path), data, key, self.existing(path)))

    def existing(self, path: str) -> str | None:
        """The file of the previous build at `path`, if sitegen wrote it."""
        return f"{self.out_dir}/{path}" if path in self.before else None

    def target(self, path: str) -> str:
        """Where the new bytes of `path` go; other processes may write there."""
        return f"{self.back_dir}/{path}"

    def wrote(self, path: str, written: Written, changed: bool = True) -> None:
        """Record a file written to target(path), by this process or a worker."""
        self.files[path] = written
        if changed:
            self.renewed.append(path)
        else:
            self.unchanged += 1

    def copy(self, path: str, source: str, key: str) -> None:
        target = self.target(path)
        _unlink_file(target)
        try:
            shutil.copyfile(source, target)
        except FileNotFoundError:  # its folder is not there yet (or the source is gone)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(source, target)
        stat = os.stat(target)
        self.wrote(path, Written(key, stat.st_size, stat.st_mtime_ns, file_digest(target)))

    def commit(self) -> WriteReport:
        self.plan()
        clashes = _clashes(self.files, self.foreign)
        if clashes:
            raise BuildFailed([error(str(self.out_dir / p), None,
                                     "this file was not written by sitegen and the build would "
                                     "replace it; move it away") for p in clashes])
        for path, mode in self.foreign.items():  # carried over untouched
            if kinds.S_ISDIR(mode):
                os.makedirs(f"{self.back_dir}/{path}", exist_ok=True)
            else:
                _link(f"{self.out_dir}/{path}", f"{self.back_dir}/{path}")
        if self.mirrors:
            for path in self.held - self.files.keys():
                _unlink(self.back_dir, path)
        removed: list[str] = []
        if not self.whole:  # else the same files: the kept tree's manifest is the output's
            write_file(f"{self.back_dir}/{MANIFEST}",
                       "".join(f"{path}\n" for path in sorted(self.files)).encode("utf-8"), "",
                       f"{self.out_dir}/{MANIFEST}" if self.owned else None)
            removed = sorted(self.owned - self.files.keys())
        swapped_out: dict[str, Written] | None = None  # what back_dir holds after the swap
        if _is_folder(self.out_dir):
            exchange(self.back_dir, self.out_dir)
            swapped_out = self.before
        else:
            os.replace(self.back_dir, self.out_dir)
        self.committed = True
        if not self.keeps_back:
            _remove(self.back_dir)
        elif swapped_out is None:  # no tree to bring up to it: every file is linked anew,
            self.mirrored = mirror(self.out_dir, self.back_dir, self.files) or \
                self._mirror(None)  # meanwhile where it can be
        else:
            self.mirrored = self._mirror(swapped_out)
        return WriteReport(len(self.files) - self.unchanged, self.unchanged, len(removed),
                           tuple(sorted(self.renewed + removed)))

    def _mirror(self, held: dict[str, Written] | None) -> bool:
        """Bring the kept tree, which now holds the previous output (`held`, None: nothing),
        up to the new output by linking what changed: the next build then finds there every
        file it keeps, so what one build changes is linked once, not again by the next (the
        first edit after a cold build does not link the whole site). Files sitegen did not
        write are left to the output. Whether it now mirrors the output."""
        back, out = self.back_dir, self.out_dir
        if self.whole and held is not None:
            try:
                for path in self.writing:
                    _link(f"{out}/{path}", f"{back}/{path}")
            except OSError:
                return False
            return True
        try:
            if held is None or not _is_folder(back):
                _remove(back)
                back.mkdir(parents=True)
                held = {}
            for path in (self.owned | self.recorded | held.keys()) - self.files.keys():
                _unlink(back, path)
            for path, mode in sorted(self.foreign.items(), reverse=True):  # inmost first
                if kinds.S_ISDIR(mode):
                    with contextlib.suppress(OSError):
                        os.rmdir(f"{back}/{path}")
                else:
                    _unlink(back, path)
            files = self.files
            for path in compress(files, map(ne, map(held.get, files), files.values())):
                _link(f"{out}/{path}", f"{back}/{path}")
            _link(f"{out}/{MANIFEST}", f"{back}/{MANIFEST}")
        except OSError:  # what the kept tree holds is made anew by the next build
            return False
        return True

    def kept_tree(self) -> bool | Mirroring:
        """Whether `back_dir` mirrors the output: after a commit, if it could be brought up to
        it (or what says so once it is made); never after a failure."""
        return self.mirrored if self.keeps_back and self.committed else False

    def abort(self) -> None:
        """Leave the output exactly as it was (the kept tree is made anew by the next build)."""
        if self.committed:
            return
        if not self.keeps_back:
            _remove(self.back_dir)
        elif self.prepared:
            for path in self.writing | self.linked.keys():
                _unlink(self.back_dir, path)


class Mirroring:
    """The kept tree being made as a mirror of the output, by a process of its own (`mirror`)."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.taken = False

    def take(self) -> bool:
        """Whether the kept tree mirrors the output, once it is made; for one writer only,
        which changes it (and leaves it otherwise if it fails)."""
        taken, self.taken = self.taken, True
        return self.wait() and not taken

    def wait(self) -> bool:
        return self.process.wait() == 0

    def stop(self) -> None:
        """The build ends: one that no longer needs the tree does not wait for it (the next
        build makes it anew)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def mirror(out_dir: Path, back_dir: Path, files: Iterable[str]) -> Mirroring | None:
    """Start making `back_dir` the mirror of the output's files that the build wrote (`files`,
    its record): a link to each. A restored output (a deploy's) has no such tree, and making
    one is a folder and a link per page, most of it the system's time: done by a process of
    its own (`linktree.py`), it takes none from the build, which waits for it only when it
    writes. None where no process can be started."""
    program = Path(__file__).with_name("linktree.py")
    try:
        process = subprocess.Popen(
            [sys.executable, "-I", "-S", str(program), str(out_dir.absolute()),
             str(back_dir.absolute()), MANIFEST],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return None
    assert process.stdin is not None
    try:
        with process.stdin:
            process.stdin.write("".join(f"{path}\0" for path in files).encode(
                "utf-8", "surrogateescape"))
    except OSError:  # it ended at once: it made nothing
        process.wait()
        return None
    return Mirroring(process)


def holds(out_dir: Path, written: dict[str, Written],
          verify: bool = True) -> dict[str, Written] | None:
    """The record of the output folder if it still holds exactly the files of `written` (the
    same dict where nothing changed; new times where only those did), else None."""
    if not verify:
        return written if written and (out_dir / MANIFEST).is_file() else None
    changed = retimed(out_dir, written)
    if changed is None:
        return None
    return {**written, **changed} if changed else written


def retimed(out_dir: Path, written: dict[str, Written]) -> dict[str, Written] | None:
    """The records of the files of `written` whose time changed and bytes did not, if the
    output folder still holds exactly those files (and its manifest), else None. A look per
    file, most of it the system's time."""
    if not written or not (out_dir / MANIFEST).is_file():
        return None
    changed = {}
    for path, record in written.items():
        try:
            stat = os.lstat(f"{out_dir}/{path}")
        except OSError:
            return None
        now = _still(out_dir, path, stat, record)
        if now is None:
            return None
        if now is not record:
            changed[path] = now
    return changed


def write_file(target: str, data: bytes, key: str,
               existing: str | None = None) -> tuple[Written, bool]:
    """Put these bytes at `target` as a new file (creating its folder), or as a link to
    `existing` where that already holds them; says what is now there and whether it changed."""
    _unlink_file(target)
    if existing is not None:
        try:
            stat = os.stat(existing)
            if stat.st_size == len(data):
                with open(existing, "rb") as old:
                    if old.read() == data:
                        _link(existing, target)
                        return Written(key, stat.st_size, stat.st_mtime_ns,
                                       digest_of(data)), False
        except OSError:
            pass
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(target, flags, 0o644)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        fd = os.open(target, flags, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        stat = os.fstat(fd)
    finally:
        os.close(fd)
    return Written(key, stat.st_size, stat.st_mtime_ns, digest_of(data)), True


def link_file(source: str, target: str, key: str) -> Written:
    """`target` becomes another name of `source` (a file kept elsewhere, such as an image
    made by an earlier build)."""
    _link(source, target)
    stat = os.stat(target)
    return Written(key, stat.st_size, stat.st_mtime_ns, file_digest(target))


def digest_of(data: bytes) -> str:
    """What an output file's record vouches for: its bytes, hashed."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def file_digest(path: str) -> str:
    """`digest_of` the file's bytes, read whole where it can: most output files are small,
    and a buffered file object costs more than reading them (a restored output's thousands)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        hashed, size = hashlib.blake2b(digest_size=16), os.fstat(fd).st_size
        while data := os.read(fd, min(max(size + 1, 4096), 1 << 24)):
            hashed.update(data)
    finally:
        os.close(fd)
    return hashed.hexdigest()


# Swapping two folders ---------------------------------------------------------------------------

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2() -> Any:
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # not Linux, or a C library without it
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    return function


_RENAMEAT2 = _renameat2()


def exchange(new: Path, current: Path) -> None:
    """Swap two folders in one atomic step; where the system cannot, in three renames, with a
    moment in which `current` is missing."""
    if _RENAMEAT2 is not None:
        if _RENAMEAT2(_AT_FDCWD, os.fsencode(new), _AT_FDCWD, os.fsencode(current),
                      _RENAME_EXCHANGE) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
            raise OSError(code, os.strerror(code), str(current))
    aside = current.parent / f".{current.name}.sitegen-old"
    _remove(aside)
    os.replace(current, aside)
    os.replace(new, current)
    os.replace(aside, new)


# The output folder as it is ---------------------------------------------------------------------

Scanned = tuple[dict[str, tuple[int, int]], dict[str, int]]


def _scan(root: Path, jobs: int = 1) -> Scanned:
    """(path -> (size, modified) of every regular file, path -> mode of every other entry
    that is not a folder and of every empty folder) under `root`; links are not followed. A
    large folder is looked at on all cores, its folders two levels down shared out."""
    files, others = _scan_folders(root, [""], 2)
    deeper = sorted(path for path, mode in others.items() if mode == _DEEPER)
    for path in deeper:
        del others[path]
    deeper = deeper[0::2] + deeper[1::2]  # this process takes the first half: alike in size
    from .parallel import run

    for found, other in run(_scan_one, str(root), deeper, jobs, per_worker=1):
        files.update(found)
        others.update(other)
    return files, others


_DEEPER = -1  # a folder left for later
MANY = 20_000  # files of an output worth looking at on all cores


def _scan_one(root: str, folder: str) -> Scanned:
    return _scan_folders(Path(root), [folder])


def _scan_folders(root: Path, folders: list[str], depth: int | None = None) -> Scanned:
    """The entries under these folders of `root`; folders `depth` levels down are given as
    _DEEPER, not looked into."""
    files: dict[str, tuple[int, int]] = {}
    others: dict[str, int] = {}
    while folders:
        folder = folders.pop()
        with os.scandir(f"{root}/{folder}" if folder else root) as entries:
            empty = True
            for entry in entries:
                empty = False
                if entry.is_file(follow_symlinks=False):
                    stat = entry.stat(follow_symlinks=False)
                    files[folder + entry.name] = (stat.st_size, stat.st_mtime_ns)
                elif entry.is_dir(follow_symlinks=False):
                    if depth is not None and folder.count("/") + 1 >= depth:
                        others[f"{folder}{entry.name}/"] = _DEEPER
                    else:
                        folders.append(f"{folder}{entry.name}/")
                else:
                    others[folder + entry.name] = entry.stat(follow_symlinks=False).st_mode
        if empty and folder:
            others[folder.rstrip("/")] = os.lstat(f"{root}/{folder}").st_mode
    return files, others


def _previous_files(out_dir: Path, files: dict[str, tuple[int, int]], others: dict[str, int],
                    recorded: dict[str, Written]) -> set[str]:
    """The files of the output that the last build wrote: what its manifest names, as long as
    it is a plain file inside the folder; nothing else is ever taken for sitegen's own."""
    if out_dir.is_symlink():
        raise BuildFailed([error(str(out_dir), None, "the output path is a link; give the "
                                                     "folder it leads to instead")])
    if out_dir.exists() and not out_dir.is_dir():
        raise BuildFailed([error(str(out_dir), None, "the output path is a file, not a folder")])
    if MANIFEST in files:
        try:
            listed = (out_dir / MANIFEST).read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            listed = []
        owned = files.keys() & listed
        # The paths of the record are sitegen's own; any other the manifest names is checked.
        owned.difference_update([path for path in owned - recorded.keys() if not _safe(path)])
        return owned
    if files or others:
        raise BuildFailed([error(str(out_dir), None,
                                 "this folder already holds files that sitegen did not write; "
                                 "empty it or choose another output folder")])
    return set()


def _still_there(root: Path, recorded: dict[str, Written], files: dict[str, tuple[int, int]],
                 owned: AbstractSet[str]) -> dict[str, Written]:
    """The records of the files that still hold what sitegen wrote: by their size and time,
    or, where only the time changed, by their bytes (`_still`)."""
    found = dict(compress(recorded.items(), map(eq, map(files.get, recorded),
                                                map(_SIGNATURE, recorded.values()))))
    for path in found.keys() - owned:
        del found[path]
    for path in owned - found.keys():
        record, seen = recorded.get(path), files.get(path)
        if record is not None and seen is not None and seen[0] == record.size and \
                (now := _same_bytes(root, path, record, seen[1])) is not None:
            found[path] = now
    return found


_KEY = itemgetter(0)  # of a Written
_SIGNATURE = itemgetter(1, 2)  # (size, modified) of a Written
_NONE = ("",)  # no record: a key no file has


def _safe(path: str) -> bool:
    """A relative path that stays inside its folder, written the one way sitegen writes it:
    no empty part (no leading, trailing or doubled slash), no `.` or `..`."""
    parts = path.split("/")
    return "" not in parts and "." not in parts and ".." not in parts and "\0" not in path


def is_mirror(out_dir: Path, back_dir: Path) -> bool:
    """Whether the tree kept beside the output still has the output's manifest (the same
    file): then it mirrors it, as far as the output's record goes."""
    return _same_file(f"{out_dir}/{MANIFEST}", f"{back_dir}/{MANIFEST}")


def _same_file(one: str, other: str) -> bool:
    try:
        first, second = os.lstat(one), os.lstat(other)
    except OSError:
        return False
    return (first.st_ino, first.st_dev) == (second.st_ino, second.st_dev) and \
        kinds.S_ISREG(first.st_mode)


def _still(root: Path, path: str, stat: os.stat_result | None,
           record: Written) -> Written | None:
    """The record of a file that still holds what sitegen wrote there: by its size and time, or,
    where only its time changed (the folder was copied or restored, as a deploy's build cache
    is), by its bytes, with the time it has now; None if it changed."""
    if _matches(stat, record):
        return record
    if stat is None or not kinds.S_ISREG(stat.st_mode) or stat.st_size != record.size:
        return None
    return _same_bytes(root, path, record, stat.st_mtime_ns)


def _same_bytes(root: Path, path: str, record: Written, mtime_ns: int) -> Written | None:
    """The record with the file's new time, if its bytes are still the ones recorded."""
    try:
        same = file_digest(f"{root}/{path}") == record.digest
    except OSError:
        return None
    return record._replace(mtime_ns=mtime_ns) if same else None


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None


def _matches(stat: os.stat_result | None, record: Written) -> bool:
    return (stat is not None and kinds.S_ISREG(stat.st_mode)
            and (stat.st_size, stat.st_mtime_ns) == (record.size, record.mtime_ns))


def _clashes(files: dict[str, Written], foreign: dict[str, int]) -> list[str]:
    """New files at the place of a foreign file or folder, or under a foreign file."""
    if not foreign:
        return []
    taken = set(foreign)
    for path in foreign:
        parts = path.split("/")
        taken.update("/".join(parts[:n]) for n in range(1, len(parts)))
    # An empty folder (one whose page was removed by hand) only holds the new files.
    not_folders = {path for path, mode in foreign.items() if not kinds.S_ISDIR(mode)}
    found = []
    for path in files:
        parts = path.split("/")
        if path in taken or any("/".join(parts[:n]) in not_folders
                                for n in range(1, len(parts))):
            found.append(path)
    return sorted(found)


# Files and folders --------------------------------------------------------------------------------

def _link(source: str, target: str) -> None:
    """`target` becomes another name of `source` (a copy where links cannot be made)."""
    _unlink_file(target)
    try:
        os.link(source, target, follow_symlinks=False)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        _link(source, target)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)


def _unlink_file(path: str) -> None:
    """A new file never shares its inode with the old one, which may be the output's."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        shutil.rmtree(path)


def _unlink(root: Path, path: str) -> None:
    _unlink_file(f"{root}/{path}")
    folder = (root / path).parent
    while folder != root:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _is_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _remove(path: Path) -> None:
    if _is_folder(path):
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
