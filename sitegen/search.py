"""The search index: Pagefind's, made from the article pages a build has just written.

Pagefind (the PyPI package `pagefind`, whose `extended` extra carries its binary) reads the
pages' HTML: only what an article page marks `data-pagefind-body` is indexed, with the headline,
summary, date and image as metadata and the section as a filter, and it writes one index per
language from each page's `lang`. It is given only what it reads of a page (`searchable`).
A large site's index comes in parts (`search_index`), each an index of its own whose key is
what Pagefind reads of every page it holds: an edit makes again the part that holds its page,
and a build that changed no article's words, a template's edit included, makes none. Their
files go into the output like any other, under `pagefind/`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import math
import re
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Self

from .code import code_digest
from .errors import BuildFailed, error

FOLDER = "pagefind/"
ENTRY = "pagefind-entry.json"
SMALLEST_PART = 32  # pages


class Made(NamedTuple):
    """A part of the index as the output holds it."""

    key: str  # what it was made from (Part.key)
    files: tuple[str, ...]
    # Each page -> its key and the digest of what Pagefind read of it: a page whose key is the
    # same reads the same, and need not be read again to know its part is unchanged.
    pages: dict[str, tuple[str, str]]


Indexed = dict[str, Made]  # a part's folder -> the part


@dataclass(frozen=True, slots=True)
class Part:
    """One Pagefind index, in its own folder: what an edit makes again is the part that holds
    the page, not the whole site's index."""

    folder: str  # in the output: `pagefind/` (the first part of every language), `pagefind/es-2/`
    pages: tuple[str, ...]  # the article pages' files

    def key(self, read: Mapping[str, str], root: str) -> str:
        """What the part is made from: what Pagefind reads of each page (`read`: page -> the
        digest of it), at which address, and the Pagefind and sitegen that make it. A page
        whose headline, body or metadata did not change leaves its part as it was, whatever
        happened to the rest of the page (its related stories, a template's masthead)."""
        digest = hashlib.blake2b(f"search\0{code_digest()}\0{pagefind_version()}\0{root}\0"
                                 f"{self.folder}\0".encode(), digest_size=20)
        for page in sorted(self.pages):
            digest.update(f"{page}\0{read[page]}\0".encode())
        return f"search:{digest.hexdigest()}"


def read_digest(searched: str) -> str:
    """The digest of what Pagefind reads of a page (`searchable`)."""
    return hashlib.blake2b(searched.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class SearchIndex:
    """The index of the article pages of every language, in parts. The first part holds some
    pages of every language, at `pagefind/`, where Pagefind's script is; a language's search
    page merges that language's other parts into it (Pagefind's `mergeIndex`)."""

    parts: tuple[Part, ...]
    languages: Mapping[str, tuple[str, ...]]  # language -> the folders of its parts, first first

    @property
    def pages(self) -> tuple[str, ...]:
        return tuple(page for part in self.parts for page in part.pages)


def search_index(pages: Mapping[str, Sequence[str]]) -> SearchIndex:
    """The parts of an index of `pages` (by language). A page's part comes from its file's
    name, so that it stays in its part as the site grows, until its language's count of parts
    doubles."""
    first: list[str] = []
    parts: list[Part] = []
    languages: dict[str, tuple[str, ...]] = {}
    for lang, files in pages.items():
        count = part_count(len(files))
        shares: list[list[str]] = [[] for _ in range(count)]
        for file in files:
            shares[int.from_bytes(hashlib.blake2b(file.encode(), digest_size=4).digest())
                   % count].append(file)
        shares = [share for share in shares if share]  # the first one must hold some
        first += shares[0] if shares else ()
        own = [Part(f"{FOLDER}{lang}-{n}/", tuple(share))
               for n, share in enumerate(shares[1:], start=1)]
        parts += own
        if shares:
            languages[lang] = (FOLDER, *(part.folder for part in own))
    return SearchIndex((Part(FOLDER, tuple(first)), *parts) if first else (), languages)


def part_count(pages: int) -> int:
    """How many parts a language's index has: about half the square root of its pages, which
    weighs what an edit makes again (a part) against what a search in the browser loads (a
    little of every part); a power of two, so that a part splits in two as the site grows."""
    if pages < 2 * SMALLEST_PART:
        return 1
    return min(1 << round(math.log2(math.sqrt(pages) / 2)),
               1 << ((pages // SMALLEST_PART).bit_length() - 1))


@functools.cache
def pagefind_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pagefind")
    except PackageNotFoundError:
        return "none"


def make_index(part: Part, searched: Mapping[str, str], root: str = "/") -> dict[str, bytes]:
    """Index the pages of a part (`searched`: page -> what `searchable` keeps of it): the files
    of its index, by their path in the output; `root` is the site's path on its server (`/`,
    `/news/`)."""
    pages = [(root + page.removesuffix("index.html"), searched[page])
             for page in sorted(part.pages)]
    try:
        files = index_pages(pages, part.folder)
    except (OSError, ValueError, KeyError) as exc:
        raise BuildFailed([error(part.folder, None, f"Pagefind could not index the site: "
                                                    f"{exc}")]) from None
    return {path: data for path, data in files.items()
            if part.folder == FOLDER or _is_data(path.removeprefix(part.folder))}


def index_pages(pages: Sequence[tuple[str, str]], folder: str = FOLDER) -> dict[str, bytes]:
    """Pagefind's index of the pages (address, HTML), by path in the output, the same bytes
    on every run. The pages are given in order: Pagefind numbers them as they come, and a walk
    of its own would number them differently from run to run."""
    with _Pagefind() as pagefind:
        index = pagefind.ask({"type": "NewIndex", "config": None})["index_id"]
        pagefind.ask_all([{"type": "AddFile", "index_id": index, "file_path": None,
                           "url": url, "file_contents": html} for url, html in pages])
        # The files come back in the answer, whole: nothing is written to read back.
        made = pagefind.ask({"type": "GetFiles", "index_id": index})["files"]
    return _canonical({folder + file["path"].lstrip("/"): base64.b64decode(file["content"])
                       for file in made}, folder)


def _is_data(name: str) -> bool:
    """What a part other than the first needs: the first part's script and WebAssembly search
    them all."""
    return name == ENTRY or name.endswith(".pf_meta") or name.startswith(
        ("index/", "fragment/", "filter/"))


_TAG_NAME = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)\s")
_HEADLINE = re.compile(r"<h1[\s>]", re.IGNORECASE)
_IMAGE = re.compile(r"<img\s[^>]*>", re.IGNORECASE)
_HTML = re.compile(r"<html[\s>][^>]*>?", re.IGNORECASE)
_VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"))


def searchable(page: str) -> str:
    """What Pagefind reads of a page, alone: the `html` tag (the language), every element
    marked `data-pagefind-…` (the body, meta, filters), the first `h1` (the default title) and
    the first image after it (the default image). Pagefind makes the same index of it as of the
    whole page at two thirds of the cost; a page whose marked element does not end where
    expected is given whole."""
    kept: list[tuple[int, int]] = []
    at = page.find("data-pagefind-")
    while at >= 0:
        start, close = page.rfind("<", 0, at), page.find(">", at)
        tag = _TAG_NAME.match(page, start)
        if (tag is None or close < 0 or not page[at - 1].isspace() or ">" in page[start:at]
                or tag.group(1).lower() in ("html", "head", "body")):
            return page  # the page as a whole is marked, or text speaks of Pagefind
        end = _element_end(page, tag.group(1).lower(), close + 1)
        if end is None:
            return page
        kept.append((start, end))
        at = page.find("data-pagefind-", end)
    headline = _HEADLINE.search(page)
    if headline is not None:
        end = _element_end(page, "h1", page.index(">", headline.start()) + 1)
        if end is None:
            return page
        kept.append((headline.start(), end))
        image = _IMAGE.search(page, end)
        if image is not None:
            kept.append(image.span())
    html = _HTML.search(page)
    parts = [page[start:end] for start, end in _outermost(kept)]
    return "".join(["<!DOCTYPE html>", html.group(0) if html else "<html>", "<body>", *parts,
                    "</body></html>"])


def _element_end(page: str, tag: str, after: int) -> int | None:
    """Where the element whose start tag ends at `after` ends, counting the elements of the
    same name within it; None where it never does."""
    if tag in _VOID:
        return after
    depth, pattern = 1, re.compile(rf"<(/?){tag}[\s>/]", re.IGNORECASE)
    for found in pattern.finditer(page, after):
        depth += -1 if found.group(1) else 1
        if depth == 0:
            end = page.find(">", found.end() - 1)
            return None if end < 0 else end + 1
    return None


def _outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans in the page's order, without those inside another."""
    kept: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end))
    return kept


class _Pagefind:
    """Pagefind's binary as a service: base64 JSON messages, each ended by a comma, on its
    standard input and output. (The `pagefind` package's own client waits a tenth of a second
    for each answer, which for a newsroom's thousands of pages is minutes.)"""

    def __enter__(self) -> Self:
        from pagefind.service import get_executable

        binary = get_executable()
        if binary is None:
            raise OSError("the pagefind binary is not installed (pip install "
                          "'pagefind[extended]')")
        self.process = subprocess.Popen([str(binary), "--service"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.sent = 0
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise OSError("Pagefind did not finish writing its index") from None

    def ask(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self.ask_all([payload])[0]

    def ask_all(self, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send every message, reading the answers on a thread meanwhile (a full pipe either
        way would stop both sides), and give the answers in order."""
        first = self.sent + 1
        self.sent += len(payloads)
        answers: dict[int, dict[str, Any]] = {}
        reader = threading.Thread(target=self._read, args=(answers, len(payloads)))
        reader.start()
        assert self.process.stdin is not None
        try:
            for number, payload in enumerate(payloads, start=first):
                message = json.dumps({"message_id": number, "payload": payload},
                                     ensure_ascii=False, separators=(",", ":"))
                self.process.stdin.write(base64.b64encode(message.encode()) + b",")
            self.process.stdin.flush()
        finally:
            reader.join()
        found = [answers.get(number) for number in range(first, first + len(payloads))]
        for answer in found:
            if answer is None or answer.get("type") == "Error":
                raise ValueError((answer or {}).get("message") or "no answer from Pagefind")
        return found  # type: ignore[return-value]

    def _read(self, answers: dict[int, dict[str, Any]], count: int) -> None:
        stdout = self.process.stdout
        assert isinstance(stdout, io.BufferedReader)
        pending = bytearray()  # an answer is a megabyte or two (a part's files): read it once
        while len(answers) < count:
            chunk = stdout.read1(1 << 20)
            if not chunk:
                return
            ended = chunk.rfind(b",")
            if ended < 0:
                pending += chunk
                continue
            messages = bytes(pending + chunk[:ended]).split(b",")
            pending = bytearray(chunk[ended + 1:])
            for message in messages:
                if not message.strip():
                    continue
                answer = json.loads(base64.b64decode(message))
                if answer and answer.get("message_id") is not None:
                    answers[answer["message_id"]] = answer["payload"]


# Pagefind writes each filter's values in varying order (and names the file by a hash of those
# bytes, which its language's metadata file names, which the entry file names). The values are
# put in order here and the three are named anew, so that one site always gives one index. ---

SIGNATURE = b"pagefind_dcd"


def _canonical(files: dict[str, bytes], folder: str) -> dict[str, bytes]:
    entry = json.loads(files[folder + ENTRY])
    renamed: dict[str, str] = {}
    for path in [p for p in files if p.startswith(f"{folder}filter/")]:
        name, values = _decoded(files.pop(path))
        data = _encoded([name, sorted(values, key=lambda item: item[0])])
        old = path.rsplit("/", 1)[1].removesuffix(".pf_filter")
        new = f"{old.split('_')[0]}_{hashlib.sha256(data).hexdigest()[:7]}"
        renamed[old] = new
        files[f"{folder}filter/{new}.pf_filter"] = _packed(data)
    for lang, facts in entry["languages"].items():
        path = f"{folder}pagefind.{facts['hash']}.pf_meta"
        meta = _encoded(_in_order(_renamed(_decoded(files.pop(path)), renamed)))
        facts["hash"] = f"{lang}_{hashlib.sha256(meta).hexdigest()[:10]}"
        files[f"{folder}pagefind.{facts['hash']}.pf_meta"] = _packed(meta)
    files[folder + ENTRY] = json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()
    return dict(sorted(files.items()))


def _in_order(meta: Any) -> Any:
    """A language's metadata with its filters and sorts by name: Pagefind lists them in the
    order its threads finish (its format: version, pages, index chunks, filters, sorts,
    metadata fields)."""
    if isinstance(meta, list) and len(meta) > 4 and all(isinstance(m, list) for m in meta[3:5]):
        meta[3:5] = [sorted(meta[3], key=lambda item: item[0]),
                     sorted(meta[4], key=lambda item: item[0])]
    return meta


def _renamed(value: object, names: dict[str, str]) -> object:
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [_renamed(item, names) for item in value]
    if isinstance(value, dict):
        return {key: _renamed(item, names) for key, item in value.items()}
    return value


def _packed(data: bytes) -> bytes:
    import gzip

    return gzip.compress(SIGNATURE + data, mtime=0)


def _decoded(packed: bytes) -> Any:
    import gzip

    data = gzip.decompress(packed)
    if not data.startswith(SIGNATURE):
        raise ValueError("not a Pagefind data file")
    value, end = _cbor(data, len(SIGNATURE))
    if end != len(data):
        raise ValueError("trailing bytes in a Pagefind data file")
    return value


def _cbor(data: bytes, at: int) -> tuple[Any, int]:
    """One CBOR value (the kinds Pagefind writes: numbers, text, bytes, arrays, maps)."""
    head = data[at]
    kind, extra = head >> 5, head & 31
    at += 1
    if extra < 24:
        number = extra
    elif extra <= 27:
        size = 1 << (extra - 24)
        number, at = int.from_bytes(data[at:at + size], "big"), at + size
    else:
        raise ValueError(f"CBOR item {head:#x} is not one Pagefind writes")
    if kind == 0:
        return number, at
    if kind == 1:
        return -1 - number, at
    if kind in (2, 3):
        chunk = data[at:at + number]
        return (chunk if kind == 2 else chunk.decode("utf-8")), at + number
    if kind == 4:
        items = []
        for _ in range(number):
            item, at = _cbor(data, at)
            items.append(item)
        return items, at
    if kind == 5:
        mapping = {}
        for _ in range(number):
            key, at = _cbor(data, at)
            mapping[key], at = _cbor(data, at)
        return mapping, at
    if kind == 7 and extra in (20, 21, 22):
        return {20: False, 21: True, 22: None}[extra], at
    raise ValueError(f"CBOR item {head:#x} is not one Pagefind writes")


def _encoded(value: Any) -> bytes:
    if value is False or value is True or value is None:
        return bytes([0xF4 if value is False else 0xF5 if value is True else 0xF6])
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        text = value.encode("utf-8")
        return _head(3, len(text)) + text
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_encoded(item) for item in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(_encoded(k) + _encoded(v)
                                               for k, v in value.items())
    raise TypeError(f"cannot write {type(value).__name__} as CBOR")


def _head(kind: int, number: int) -> bytes:
    if number < 24:
        return bytes([kind << 5 | number])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if number < 1 << (8 * size):
            return bytes([kind << 5 | extra]) + number.to_bytes(size, "big")
    raise ValueError("a number too large for CBOR")
