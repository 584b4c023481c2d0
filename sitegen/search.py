"""The search index: Pagefind's, made from the article pages a build has just written.

Pagefind (the PyPI package `pagefind`, whose `extended` extra carries its binary) reads the
pages' HTML: only what an article page marks `data-pagefind-body` is indexed, with the headline,
summary, date and image as metadata and the section as a filter, and it writes one index per
language from each page's `lang`. Its files go into the output like any other, under
`pagefind/`; their key is the key of every page indexed, so a build in which no article page
changed keeps the index it has instead of making it again.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildFailed, error

FOLDER = "pagefind/"
ENTRY = "pagefind-entry.json"


@dataclass(frozen=True, slots=True)
class SearchIndex:
    """The index of the article pages (their output files) of every language."""

    pages: tuple[str, ...]

    def key(self, keys: Mapping[str, str]) -> str:
        """What the index is made from: each page's key, and the Pagefind that reads them."""
        digest = hashlib.blake2b(f"search\0{pagefind_version()}\0".encode(), digest_size=20)
        for page in self.pages:
            digest.update(f"{page}\0{keys[page]}\0".encode())
        return f"search:{digest.hexdigest()}"


def pagefind_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pagefind")
    except PackageNotFoundError:
        return "none"


def make_index(tree: Path, pages: tuple[str, ...]) -> dict[str, bytes]:
    """Index the pages of `tree` (a folder holding the new output): the files of the index,
    by their path in the output. The pages are given one by one, in order: Pagefind numbers
    them as they come, and a walk of its own would number them differently from run to run."""
    import asyncio

    # Inside the tree, which is the build's own: removed before the tree is swapped in.
    with tempfile.TemporaryDirectory(prefix=".sitegen-search-", dir=tree) as scratch:
        out = Path(scratch)
        try:
            asyncio.run(_index(tree, pages, out))
        except Exception as exc:  # noqa: BLE001 - the binary's own words, for the editor
            raise BuildFailed([error(FOLDER, None, f"Pagefind could not index the site: "
                                                   f"{exc}")]) from None
        return {f"{FOLDER}{path.relative_to(out).as_posix()}": _normalized(path)
                for path in sorted(out.rglob("*")) if path.is_file()}


async def _index(tree: Path, pages: tuple[str, ...], out: Path) -> None:
    from pagefind.index import PagefindIndex

    async with PagefindIndex() as index:
        for page in sorted(pages):
            await index.add_html_file(content=(tree / page).read_text("utf-8"),
                                      url="/" + page.removesuffix("index.html"))
        await index.write_files(output_path=str(out))


def _normalized(path: Path) -> bytes:
    """The file's bytes; Pagefind lists the languages of its entry file in varying order, and
    the same site must give the same output."""
    data = path.read_bytes()
    if path.name != ENTRY:
        return data
    return json.dumps(json.loads(data), sort_keys=True, separators=(",", ":")).encode()
