"""The build cache and workers change how much work a build does, never what it writes.

Every test here builds the same files two ways and compares the complete output folders byte for
byte: an incremental build (cache kept, the same `public/`) against a cold, single-process build
into a fresh folder with `--no-cache -j 1`.
"""

from __future__ import annotations

import difflib
import itertools
import os
import random
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import CONFIG, Result, Site, article, tree

from sitegen import parallel
from sitegen.discover import bundled_dir

CACHE = ".sitegen-cache"
SUMMARY = re.compile(r"\((\d+) written, (\d+) unchanged, (\d+) removed\)")
_fresh = itertools.count()


# A newsroom big enough for workers ----------------------------------------------------------

SECTIONS = ("americas", "world", "economy", "culture")
TAGS_EN = ("cuba", "haiti", "trade", "climate", "music", "migration", "energy")
TAGS_ES = ("cuba", "haití", "comercio", "clima", "música", "migración", "energía")
AUTHORS = ("Ana Pérez", "Daniel Brathwaite", "Li Wei", "Marta Gómez")
SOURCES = "\n  - AFP\n  - name: Reuters\n    url: https://www.reuters.com/"
FOOTNOTE_BODY = ("The figure was revised twice.[^1]\n\nMore text.\n\n"
                 "[^1]: According to the central bank.\n")


def newsroom(stories: int = 60) -> dict[str, str]:
    """`stories` stories in English and Spanish, plus a few special files the edits need."""
    files: dict[str, str] = {}
    for i in range(stories):
        section = SECTIONS[i % len(SECTIONS)]
        date = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T{8 + i % 10:02d}:{i % 60:02d}:00-05:00"
        extra: dict[str, str] = {
            "tags": f"[{TAGS_EN[i % 7]}, {TAGS_EN[(i * 3 + 1) % 7]}]",
            "author": AUTHORS[i % 4] if i % 5 else f"[{AUTHORS[i % 4]}, {AUTHORS[(i + 1) % 4]}]",
        }
        extra_es = dict(extra, tags=f"[{TAGS_ES[i % 7]}, {TAGS_ES[(i * 3 + 1) % 7]}]")
        if i % 4 == 0:
            extra["sources"] = extra_es["sources"] = SOURCES
        body_en = f"Story {i} opens here.\n\nIt goes on in a second paragraph.\n"
        body_es = f"La historia {i} empieza aquí.\n\nSigue en un segundo párrafo.\n"
        if i == 7:
            body_en = body_es = FOOTNOTE_BODY
        if i % 10 == 3:  # paired by translation_key, not by file name
            files[f"content/{section}/story-{i:02d}.en.md"] = article(
                f"Story number {i}", date, body_en, translation_key=f"k{i}", **extra)
            files[f"content/{section}/historia-{i:02d}.es.md"] = article(
                f"Historia número {i}", date, body_es, translation_key=f"k{i}", **extra_es)
        else:
            files[f"content/{section}/story-{i:02d}.en.md"] = article(
                f"Story number {i}", date, body_en, **extra)
            files[f"content/{section}/story-{i:02d}.es.md"] = article(
                f"Historia número {i}", date, body_es, **extra_es)
    files.update({
        # Both versions cite sources, so the Spanish page shows the catalog's "Fuentes:".
        "content/world/cited.en.md": article("Cited Story", "2024-12-20T10:00:00-05:00",
                                             slug="cited", tags="[climate]", sources=SOURCES),
        "content/world/cited.es.md": article("Historia citada", "2024-12-20T10:00:00-05:00",
                                             slug="citada", tags="[clima]", sources=SOURCES),
        "content/world/solo.en.md": article("Only In English", "2024-12-21T10:00:00-05:00",
                                            translation_key="solo", tags="[cuba]"),
        "content/americas/unique.en.md": article("Unique Story", "2024-12-22T10:00:00-05:00",
                                                 tags="[only-here]", author="Solo Writer"),
        "content/economy/future.en.md": article("Future Story", "2025-06-01T10:00:00-05:00",
                                                tags="[tomorrow]"),
        "content/culture/draft.es.md": article("Borrador", "2024-12-23T10:00:00-05:00",
                                               draft="true", tags="[borrador]"),
        "static/x.txt": "hello\n",
        "static/images/logo.txt": "logo\n",
    })
    return files


# Building and comparing ---------------------------------------------------------------------

def build(site: Site, *args: str) -> Result:
    result = site.build(*args)
    assert result.code == 0, result.err
    return result


def fresh(site: Site, name: str = "out") -> Path:
    return site.root.parent / f"{name}-{next(_fresh)}"


def cold(site: Site, *args: str) -> Path:
    """Build the site's current files cold and in one process into a fresh folder."""
    out = fresh(site, "cold")
    build(site, "--no-cache", "-j", "1", "-o", str(out), *args)
    return out


def cold_tree(site: Site, *args: str) -> dict[str, bytes]:
    return tree(cold(site, *args))


def folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


def assert_same(actual: Path, expected: Path) -> None:
    """Both output folders hold exactly the same files with the same bytes (and no stray
    empty folders)."""
    got, want = tree(actual), tree(expected)
    if got != want:
        missing = sorted(want.keys() - got.keys())
        extra = sorted(got.keys() - want.keys())
        differ = sorted(p for p in want.keys() & got.keys() if want[p] != got[p])
        report = [f"missing: {missing[:10]}", f"extra: {extra[:10]}", f"differ: {differ[:10]}"]
        for path in differ[:2]:
            report += list(difflib.unified_diff(
                want[path].decode("utf-8", "replace").splitlines(),
                got[path].decode("utf-8", "replace").splitlines(),
                f"cold/{path}", f"incremental/{path}", lineterm="", n=1))[:30]
        pytest.fail("output differs from a cold build:\n" + "\n".join(report))
    assert folders(actual) == folders(expected), "empty folders differ"
    assert len(got) > 10


def summary(result: Result) -> tuple[int, int, int]:
    """(written, unchanged, removed) from the build's report."""
    match = SUMMARY.search(result.out)
    assert match, result.out
    written, unchanged, removed = map(int, match.groups())
    return written, unchanged, removed


def stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def bundled(rel: str) -> str:
    return (bundled_dir() / rel).read_text("utf-8")


# 1. Cold, parallel, cached and uncached builds agree ------------------------------------------

def test_cold_parallel_cached_and_uncached_builds_are_byte_identical(make_site):
    site = make_site(newsroom(60))
    expected = cold(site)
    assert len(tree(expected)) > 200
    assert "built 124 articles" in build(site, "--no-cache", "-j", "1", "-o",
                                         str(fresh(site))).out

    parallel_cold = fresh(site)
    build(site, "--no-cache", "-j", "2", "-o", str(parallel_cold))
    assert_same(parallel_cold, expected)
    assert not (site.root / CACHE).exists()

    build(site, "-j", "2")  # fills the cache from workers
    assert_same(site.public, expected)
    assert (site.root / CACHE / "cache.sqlite").is_file()

    for jobs in ("1", "2"):  # every article from the cache, every page rendered again
        warm = fresh(site)
        build(site, "-j", jobs, "-o", str(warm))
        assert_same(warm, expected)

    shutil.rmtree(site.public)  # the cache knows the folder, but it is gone
    build(site, "-j", "2")
    assert_same(site.public, expected)

    written, _, _ = summary(build(site, "-j", "2"))
    assert written == 0
    assert_same(site.public, expected)

    build(site, "--no-cache", "-j", "2")  # into the cached folder, without the cache
    assert_same(site.public, expected)
    build(site, "-j", "2")
    assert_same(site.public, expected)


def _item_and_pid(shared: object, item: int) -> tuple[int, int]:
    return item, os.getpid()


def _slowly(shared: object, item: int) -> tuple[int, int]:
    """An item that takes a moment, as a page does: the worker is started in time for some."""
    import time

    time.sleep(0.002)
    if item == shared:
        raise ValueError(f"item {item} is broken")
    return item, os.getpid()


def test_parallel_run_keeps_input_order_and_uses_workers():
    import multiprocessing

    items = list(range(200))
    results = list(parallel.run(_slowly, None, items, 2))
    assert [item for item, _ in results] == items
    if "fork" in multiprocessing.get_all_start_methods():
        assert {pid for _, pid in results} - {os.getpid()}

    results = list(parallel.run(_item_and_pid, None, items, 1))
    assert [item for item, _ in results] == items
    assert {pid for _, pid in results} == {os.getpid()}


def test_what_a_worker_raises_is_raised_here():
    with pytest.raises(ValueError, match="item 150 is broken"):
        list(parallel.run(_slowly, 150, list(range(200)), 2))


def test_parallel_run_keeps_small_batches_in_process():
    results = list(parallel.run(_item_and_pid, None, list(range(50)), 8))
    assert results == [(i, os.getpid()) for i in range(50)]


# 2. An incremental build after any change equals a cold build ---------------------------------

@dataclass
class Edit:
    apply: Callable[[Site, pytest.MonkeyPatch], None]
    check: Callable[[dict[str, bytes]], None] = lambda out: None
    visible: bool = True  # whether the output must change


def _replace(site: Site, rel: str, old: str, new: str) -> None:
    path = site.root / rel
    text = path.read_text("utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new), "utf-8")


def _rename(site: Site, old: str, new: str) -> None:
    (site.root / old).rename(site.root / new)


def _template(site: Site, _: pytest.MonkeyPatch) -> None:
    text = bundled("themes/default/templates/article.html")
    site.write("themes/default/templates/article.html",
               text.replace('<div class="story__body">', '<div class="story__body">MARKER-42'))


def _catalog(site: Site, _: pytest.MonkeyPatch) -> None:
    text = bundled("locales/es/LC_MESSAGES/messages.po")
    assert text.count('"Fuentes:"') == 2  # msgstr[1] and msgstr[2]; two sources use [2]
    site.write("locales/es/LC_MESSAGES/messages.po",
               text.replace('"Fuentes:"', '"Fuentes consultadas:"'))


def _has(path: str, text: str) -> Callable[[dict[str, bytes]], None]:
    def check(out: dict[str, bytes]) -> None:
        assert text.encode() in out[path], (path, text)
    return check


def _gone(*paths: str) -> Callable[[dict[str, bytes]], None]:
    def check(out: dict[str, bytes]) -> None:
        assert not set(paths) & out.keys()
    return check


EDITS = {
    "article body": Edit(
        lambda s, m: _replace(s, "content/world/story-01.en.md", "Story 1 opens", "Story 1 starts"),
        _has("en/world/story-number-1/index.html", "Story 1 starts")),
    "article title (slug kept)": Edit(
        lambda s, m: _replace(s, "content/world/cited.en.md", "Cited Story", "Quoted Story"),
        _has("en/tags/climate/index.html", "Quoted Story")),
    "article title (new slug)": Edit(
        lambda s, m: _replace(s, "content/economy/story-02.en.md", "Story number 2", "Renamed two"),
        _gone("en/economy/story-number-2/index.html")),
    "article deleted": Edit(
        lambda s, m: (s.root / "content/americas/unique.en.md").unlink(),
        _gone("en/americas/unique-story/index.html", "en/tags/only-here/index.html",
              "en/authors/solo-writer/index.html")),
    "file renamed in place": Edit(
        lambda s, m: _rename(s, "content/culture/story-03.en.md", "content/culture/other.en.md"),
        visible=False),
    "file moved to another section, paired by translation_key": Edit(
        lambda s, m: _rename(s, "content/culture/story-03.en.md", "content/world/other.en.md"),
        _has("es/culture/historia-numero-3/index.html",
             'hreflang="en" href="https://example.org/en/world/story-number-3/"')),
    "both files moved": Edit(
        lambda s, m: (_rename(s, "content/economy/story-06.en.md", "content/world/six.en.md"),
                      _rename(s, "content/economy/story-06.es.md", "content/world/six.es.md")),
        _has("es/world/historia-numero-6/index.html", "/en/world/story-number-6/")),
    "translation added": Edit(
        lambda s, m: s.write("content/world/solo.es.md", article(
            "Solo en español", "2024-12-21T10:00:00-05:00", translation_key="solo")),
        _has("en/world/only-in-english/index.html", 'hreflang="es"')),
    "template changed": Edit(_template, _has("es/world/citada/index.html", "MARKER-42")),
    "catalog changed": Edit(_catalog, _has("es/world/citada/index.html", "Fuentes consultadas:")),
    "site title changed": Edit(
        lambda s, m: _replace(s, "sitegen.toml", "El Post de la Isla", "La Gaceta"),
        _has("es/index.html", "La Gaceta")),
    "per_page changed": Edit(
        lambda s, m: _replace(s, "sitegen.toml", 'theme = "default"\n',
                              'theme = "default"\nper_page = 3\n'),
        _has("en/page/2/index.html", "<html")),
    "static file changed": Edit(
        lambda s, m: s.write("static/x.txt", "jello\n"), _has("x.txt", "jello")),
    "static file added and one deleted": Edit(
        lambda s, m: (s.write("static/y/z.txt", "new\n"),
                      (s.root / "static/images/logo.txt").unlink()),
        _gone("images/logo.txt")),
    "clock moved": Edit(
        lambda s, m: m.setenv("SOURCE_DATE_EPOCH", "1751328000"),  # 2025-07-01
        _has("en/economy/future-story/index.html", "Future Story")),
}


@pytest.mark.parametrize("name", EDITS)
def test_incremental_build_after_an_edit_equals_cold_build(make_site, monkeypatch, name):
    site = make_site(newsroom(8))
    build(site)
    before = tree(site.public)
    EDITS[name].apply(site, monkeypatch)
    build(site)
    after = tree(site.public)
    assert (after != before) == EDITS[name].visible
    EDITS[name].check(after)
    assert_same(site.public, cold(site))
    build(site)  # and the build after that has nothing to do
    assert_same(site.public, cold(site))


def test_drafts_then_no_drafts_equals_cold_builds(make_site):
    site = make_site(newsroom(8))
    build(site)
    build(site, "--drafts")
    assert "es/culture/borrador/index.html" in tree(site.public)
    assert_same(site.public, cold(site, "--drafts"))
    build(site)
    assert "es/culture/borrador/index.html" not in tree(site.public)
    assert_same(site.public, cold(site))


def test_many_edits_one_after_another_end_equal_to_cold_build(make_site, monkeypatch):
    site = make_site(newsroom(60))
    build(site, "-j", "2")
    for name in ("article body", "article title (new slug)", "article deleted",
                 "file moved to another section, paired by translation_key",
                 "both files moved", "translation added",
                 "template changed", "catalog changed", "site title changed",
                 "static file changed", "clock moved", "per_page changed"):
        EDITS[name].apply(site, monkeypatch)
        build(site, "-j", "2")
        EDITS[name].check(tree(site.public))
    build(site, "-j", "2", "--drafts")
    build(site, "-j", "2")
    assert_same(site.public, cold(site))


# 3 and 4. What an incremental build writes ----------------------------------------------------

def test_only_files_whose_bytes_changed_are_rewritten(make_site):
    site = make_site(newsroom(8))
    build(site)
    before, old_stats = tree(site.public), stats(site.public)
    page = "en/world/story-number-1/index.html"
    _replace(site, "content/world/story-01.en.md", "Story 1 opens", "Story 1 starts")
    written, unchanged, removed = summary(build(site))
    after, new_stats = tree(site.public), stats(site.public)
    assert after[page] != before[page]
    changed = sorted(p for p in after if after[p] != before.get(p))
    gone = [p for p in before if p not in after]  # only parts of the search index, renamed
    assert all(p.startswith("pagefind/") for p in gone)
    assert page in changed and len([p for p in changed if not p.startswith("pagefind/")]) < 10
    kept = sorted(p for p in after if p in before and after[p] == before[p])
    rewritten = [p for p in kept if new_stats[p] != old_stats[p]]
    assert rewritten == [], f"{len(rewritten)} files rewritten with the same bytes: {rewritten[:5]}"
    manifest = ".sitegen-files"
    assert (written, removed) == (len([p for p in changed if p != manifest]), len(gone))
    assert unchanged == len(after) - 1 - written  # the manifest is not counted
    assert_same(site.public, cold(site))


def test_rebuild_without_changes_writes_nothing(make_site):
    site = make_site(newsroom(8))
    build(site)
    old_stats = stats(site.public)
    written, unchanged, removed = summary(build(site))
    assert (written, removed) == (0, 0) and unchanged == len(old_stats) - 1
    assert stats(site.public) == old_stats


def test_rebuild_without_changes_only_checks_the_output(make_site, monkeypatch):
    """A new process with nothing new to build compares the inputs' hash with the cache's and
    the output with its record, then stops: it neither parses nor renders."""
    site = make_site(newsroom(8))
    build(site)

    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("a build without changes parsed or rendered")

    monkeypatch.setattr("sitegen.build.parse_articles", no_work)
    monkeypatch.setattr("sitegen.publish.publish", no_work)
    written, unchanged, removed = summary(build(site))
    assert (written, removed) == (0, 0) and unchanged > 0
    with pytest.raises(AssertionError, match="without changes"):
        site.write("content/world/new.en.md", article("New"))
        site.build()



def test_a_build_with_nothing_new_loads_no_locale_data(make_site, monkeypatch):
    """An article's key names each language's locale where parsing uses its data (the space
    before `%`): sitegen's code digest covers Babel's release, so the name stands for the data,
    which takes a while to load. A new locale is still a new key: the articles are parsed
    again."""
    from babel import localedata

    import sitegen.build
    from sitegen.typography import percent_space

    site = make_site(newsroom(8))
    build(site)
    loaded = [name for name in ("_cache", "_dict_cache") if hasattr(localedata, name)]
    for name in loaded:  # what Babel has loaded in this process (and its wrappers of it)
        monkeypatch.setattr(localedata, name, {})
    percent_space.cache_clear()  # and what sitegen took from it
    written, _, removed = summary(build(site))
    assert (written, removed) == (0, 0)
    assert loaded and all(getattr(localedata, name) == {} for name in loaded)
    parsed: list[str] = []
    parse_articles = sitegen.build.parse_articles

    def counted(inputs: Any, places: Any, *args: Any, **kwargs: Any) -> Any:
        parsed.extend(inputs.files.names[n] for n in places)
        return parse_articles(inputs, places, *args, **kwargs)

    monkeypatch.setattr(sitegen.build, "parse_articles", counted)
    site.write("sitegen.toml", CONFIG.replace('title = "El Post de la Isla"\n',
                                              'title = "El Post de la Isla"\nlocale = "es_MX"\n'))
    build(site)
    assert set(parsed) == {path.relative_to(site.root).as_posix()
                           for path in (site.root / "content").rglob("*.md")}


# 5. A damaged cache is never trusted -----------------------------------------------------------

def _db(site: Site) -> Path:
    return site.root / CACHE / "cache.sqlite"


def _random_bytes(site: Site) -> None:
    size = _db(site).stat().st_size
    _db(site).write_bytes(random.Random(1).randbytes(size))


def _truncated(site: Site) -> None:
    with _db(site).open("r+b") as db:
        db.truncate(_db(site).stat().st_size // 2)


def _foreign(site: Site) -> None:
    _db(site).unlink()
    with sqlite3.connect(_db(site)) as db:
        db.execute("CREATE TABLE foo (bar TEXT)")
        db.execute("INSERT INTO foo VALUES ('baz')")
    db.close()


def _bad_blobs(site: Site) -> None:
    with sqlite3.connect(_db(site)) as db:
        rows = db.execute("SELECT key, record FROM articles").fetchall()
        assert len(rows) > 10
        db.execute("UPDATE articles SET record = X'00'")  # every checksum kept as it was
        db.execute("UPDATE articles SET record = ? WHERE key = ?",
                   (rows[0][1][:40], rows[0][0]))
    db.close()


def _templates(garbage: Callable[[bytes], bytes]) -> Callable[[Site], None]:
    def damage(site: Site) -> None:
        folder = site.root / CACHE / "templates"
        compiled = [p for p in folder.iterdir() if p.is_file()]
        assert compiled
        for path in compiled:
            path.write_bytes(garbage(path.read_bytes()))
        for n in range(5):
            (folder / f"__jinja2_{n:040x}.cache").write_bytes(random.Random(n).randbytes(300))
    return damage


DAMAGE = {
    "random bytes": _random_bytes,
    "truncated to half": _truncated,
    "another program's database": _foreign,
    "article blobs damaged": _bad_blobs,
    "compiled templates replaced by garbage": _templates(lambda data: b"garbage" * 50),
    "compiled templates truncated": _templates(lambda data: data[:30]),
}


@pytest.mark.parametrize("name", DAMAGE)
def test_damaged_cache_is_ignored(make_site, name):
    site = make_site(newsroom(8))
    build(site)
    DAMAGE[name](site)
    build(site)  # nothing changed
    assert_same(site.public, cold(site))
    _replace(site, "content/world/story-01.en.md", "Story 1 opens", "Story 1 starts")
    build(site)  # one article changed: the rest must come from a trustworthy cache or be parsed
    assert_same(site.public, cold(site))
    elsewhere = fresh(site)  # every page rendered, with whatever compiled templates are there
    build(site, "-o", str(elsewhere))
    assert_same(elsewhere, site.public)
    build(site)
    assert_same(site.public, cold(site))


# 6. The output is checked, not assumed --------------------------------------------------------

@pytest.mark.parametrize("damage", ["tampered", "deleted"])
@pytest.mark.parametrize("path", ["en/index.html", "es/feed.xml", "x.txt"])
def test_output_changed_by_hand_is_restored(make_site, damage, path):
    site = make_site(newsroom(8))
    build(site)
    target = site.public / path
    if damage == "tampered":
        target.write_text("tampered")
    else:
        target.unlink()
    build(site)
    assert_same(site.public, cold(site))


# 7 and 8. No cache, failed builds ---------------------------------------------------------------

def test_no_cache_leaves_no_cache_folder(make_site):
    site = make_site(newsroom(8))
    build(site, "--no-cache")
    build(site, "--no-cache", "-o", str(fresh(site)))
    assert not (site.root / CACHE).exists()
    assert_same(site.public, cold(site))


FAILURES = {
    "broken front matter": lambda s: s.write("content/world/broken.en.md",
                                             "---\ntitle: [unclosed\ndate: 2024-01-01\n---\nBody\n"),
    "template error": lambda s: s.write(
        "themes/default/templates/article.html",
        bundled("themes/default/templates/article.html").replace(
            "{{ article.title }}</h1>", "{{ article.no_such_field }}</h1>")),
}


@pytest.mark.parametrize("name", FAILURES)
def test_failed_build_leaves_output_as_it_was(make_site, name):
    site = make_site(newsroom(8))
    build(site)
    before, old_stats = tree(site.public), stats(site.public)
    _replace(site, "content/world/story-01.en.md", "Story 1 opens", "Story 1 starts")
    FAILURES[name](site)
    result = site.build()
    assert result.code == 1
    assert "nothing was written" in result.err
    assert tree(site.public) == before
    assert stats(site.public) == old_stats
    assert not list(site.root.glob(".public.sitegen-*"))
    assert site.build().code == 1  # the cache does not hide the problem
    for rel in ("content/world/broken.en.md", "themes/default/templates/article.html"):
        (site.root / rel).unlink(missing_ok=True)
    build(site)
    assert b"Story 1 starts" in tree(site.public)["en/world/story-number-1/index.html"]
    assert_same(site.public, cold(site))


def test_dates_in_the_cache_do_not_outvote_the_articles(make_site, monkeypatch):
    """The cache keeps each article's date beside it to decide quickly whether anything can have
    changed; a damaged date there must not keep a now-published article off the site."""
    site = make_site(newsroom(8))
    build(site)
    with sqlite3.connect(_db(site)) as db:  # each part's checksum kept as it was
        assert db.execute("UPDATE shelves SET record = X'00' || substr(record, 2) "
                          "WHERE name = 'dates'").rowcount > 10
    db.close()
    build(site)
    assert_same(site.public, cold(site))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1751328000")  # 2025-07-01: future.en.md is due
    build(site)
    assert "en/economy/future-story/index.html" in tree(site.public)
    assert_same(site.public, cold(site))


def test_a_static_file_copied_over_with_its_old_time_and_size_is_copied_again(make_site):
    """`cp -p`, `rsync -t` and `tar` keep a file's time: its change time still tells."""
    site = make_site({**newsroom(4), "static/note.txt": "version 1\n"})
    build(site)
    note = site.root / "static/note.txt"
    stat = note.stat()
    note.write_text("version 2\n", "utf-8")
    os.utime(note, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    build(site)
    assert (site.public / "note.txt").read_text("utf-8") == "version 2\n"
    assert_same(site.public, cold(site))


def test_a_site_copied_to_another_folder_keeps_its_article_keys(make_site, monkeypatch):
    """The keys hold what the articles and their catalogs say, not where the site is: a site
    moved, or a CI that builds in a new folder with the cache restored, parses nothing again."""
    from sitegen import build as pipeline
    from sitegen.config import load

    site = make_site(newsroom(4))
    _catalog(site, monkeypatch)
    copy = site.root.parent / "moved"
    shutil.copytree(site.root, copy)

    def keys(folder: Path) -> list[str]:
        return pipeline.article_keys(pipeline.SiteInputs.read(load(folder)))

    assert keys(copy) == keys(site.root)
    (copy / "locales/es/LC_MESSAGES/messages.po").write_text(
        bundled("locales/es/LC_MESSAGES/messages.po"), "utf-8")
    moved = keys(copy)
    assert moved != keys(site.root)  # the site's own catalog now says what the bundled one does
