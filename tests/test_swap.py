"""A build in a new process after an edit of an article's words swaps the new article into the
outputs the last build showed it in, and plans nothing; it writes exactly what a cold build
writes, and any other edit plans the whole site. Also: the memo knows unchanged inputs by their
signature, keeps the tree swapped out in step with the output, and keeps outputs as records.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Site, article, tree
from test_cache import _replace, assert_same, build, cold, fresh, newsroom, summary

from sitegen import build as pipeline
from sitegen import records
from sitegen.assemble import BuildOptions, build_clock
from sitegen.cache import FOLDER, Cache

REPO = Path(__file__).resolve().parent.parent


class Plans:
    """Counts the builds that plan the whole site."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = pipeline.plan_site

        def counted(*args: object, **kwargs: object) -> pipeline.Plan:
            self.count += 1
            return original(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(pipeline, "plan_site", counted)

    def build(self, site: Site, *args: str) -> int:
        """Build; how many times the site was planned."""
        before = self.count
        build(site, *args)
        return self.count - before


@pytest.fixture
def plans(monkeypatch: pytest.MonkeyPatch) -> Plans:
    return Plans(monkeypatch)


# Edits of an article's words: its new version is swapped in -------------------------------------

WORDS: dict[str, Callable[[Site], None]] = {
    "body": lambda s: _replace(s, "content/world/story-01.en.md", "Story 1 opens",
                               "Story 1 starts"),
    "body of a translation": lambda s: _replace(s, "content/world/story-01.es.md",
                                                "empieza aquí", "comienza aquí"),
    "headline, slug given": lambda s: _replace(s, "content/world/cited.en.md", "Cited Story",
                                               "Quoted Story"),
    "a footnote": lambda s: _replace(s, "content/culture/story-07.en.md", "revised twice",
                                     "revised three times"),
    "sources": lambda s: _replace(s, "content/world/cited.en.md", "- AFP", "- EFE"),
    "summary added": lambda s: _replace(s, "content/world/solo.en.md", "tags: [cuba]",
                                        "tags: [cuba]\nsummary: Only here, in English."),
}


@pytest.mark.parametrize("name", WORDS)
def test_an_edit_of_words_is_swapped_in_and_equals_a_cold_build(make_site, plans, name):
    site = make_site(newsroom(8))
    assert plans.build(site) == 1
    before = tree(site.public)
    WORDS[name](site)
    assert plans.build(site) == 0
    assert tree(site.public) != before
    assert_same(site.public, cold(site))
    assert summary(build(site))[0] == 0  # and the next build has nothing to do


def test_edits_one_after_another_are_swapped_in(make_site, plans):
    site = make_site(newsroom(8))
    build(site)
    for n, name in enumerate(WORDS):
        WORDS[name](site)
        assert plans.build(site) == 0, name
        if n % 2:
            assert_same(site.public, cold(site))
    _replace(site, "content/world/story-01.en.md", "Story 1 starts", "Story 1 opens")
    assert plans.build(site) == 0  # back to bytes an earlier build had
    assert_same(site.public, cold(site))


def test_an_edit_previewed_in_another_folder_is_still_swapped_in(make_site, plans):
    """Builds into another folder (the live preview's, a second output) between two builds
    into `public/` keep the articles `public/`'s plan names: the edit is swapped in there."""
    site = make_site(newsroom(8))
    build(site)
    WORDS["body"](site)
    preview = fresh(site, "preview")
    assert plans.build(site, "-o", str(preview)) == 1
    WORDS["a footnote"](site)
    assert plans.build(site, "-o", str(preview)) == 0
    assert plans.build(site) == 0
    assert_same(site.public, cold(site))
    _replace(site, "content/world/story-01.en.md", "Story 1 starts", "Story 1 opens")
    assert plans.build(site) == 0  # back to the words public/ had before
    assert_same(site.public, cold(site))


def test_a_tampered_output_is_made_again_from_its_record(make_site, plans):
    site = make_site(newsroom(8))
    build(site)
    (site.public / "en/tags/climate/index.html").write_text("tampered", "utf-8")
    (site.public / "x.txt").unlink()
    WORDS["body"](site)
    assert plans.build(site) == 0
    assert_same(site.public, cold(site))


def test_an_article_that_takes_from_its_story_is_shown_as_its_story_gives_it(make_site, plans):
    """A translation that leaves its date, section and tags to its original is listed beside
    the edited article with what its story gives it, as a cold build lists it."""
    files = newsroom(8)
    files["content/world/story-01.es.md"] = "---\ntitle: Historia sin fecha\n---\nCuerpo.\n"
    site = make_site(files)
    build(site)
    _replace(site, "content/world/story-05.es.md", "empieza aquí", "comienza aquí")
    assert plans.build(site) == 0
    assert_same(site.public, cold(site))
    _replace(site, "content/world/story-01.en.md", "Story 1 opens", "Story 1 starts")
    assert plans.build(site) == 1  # its translation takes from it: planned
    assert_same(site.public, cold(site))


# Edits that plan the site ---------------------------------------------------------------------

SHAPES: dict[str, Callable[[Site], None]] = {
    "tags": lambda s: _replace(s, "content/world/story-01.en.md", "tags: [", "tags: [music, "),
    "date": lambda s: _replace(s, "content/world/story-01.en.md", "2024-02-02", "2024-03-02"),
    "draft": lambda s: _replace(s, "content/world/story-01.en.md", "tags:", "draft: true\ntags:"),
    "headline that makes the slug": lambda s: _replace(s, "content/world/story-01.en.md",
                                                       "Story number 1", "Story one"),
    "an article added": lambda s: s.write("content/world/new.en.md", article("New")),
    "a page of the publication's title": lambda s: _replace(
        s, "content/pages/about.en.md", "About us", "Who we are"),
}


@pytest.mark.parametrize("name", SHAPES)
def test_an_edit_of_where_an_article_is_listed_plans_the_site(make_site, plans, name):
    files = newsroom(8)
    files["content/pages/about.en.md"] = "---\ntitle: About us\n---\nWho we are.\n"
    site = make_site(files)
    build(site)
    SHAPES[name](site)
    assert plans.build(site) == 1
    assert_same(site.public, cold(site))


def test_a_translation_that_falls_behind_plans_the_site(make_site, plans):
    """Outside git, `translated_from` tells a stale translation: an edit of its original's
    words shows the notice on its page, which only planning finds."""
    from sitegen.staleness import fingerprint

    body = "Story 1 opens here.\n\nIt goes on in a second paragraph.\n"
    files = newsroom(8)
    files["content/world/story-01.es.md"] = files["content/world/story-01.es.md"].replace(
        "---\n", f"---\ntranslated_from: {fingerprint('Story number 1', body)}\n", 1)
    site = make_site(files)
    build(site)
    assert "translated_from" in (site.root / "content/world/story-01.es.md").read_text()
    WORDS["body"](site)
    assert plans.build(site) == 1
    assert_same(site.public, cold(site))


def test_a_build_with_other_options_plans_the_site(make_site, plans):
    site = make_site(newsroom(8))
    build(site)
    WORDS["body"](site)
    assert plans.build(site, "--drafts") == 1
    assert_same(site.public, cold(site, "--drafts"))
    WORDS["headline, slug given"](site)
    assert plans.build(site, "--drafts") == 0
    assert_same(site.public, cold(site, "--drafts"))


def test_a_damaged_record_plans_the_site(make_site, plans):
    import sqlite3

    site = make_site(newsroom(8))
    build(site)
    with sqlite3.connect(site.root / FOLDER / "cache.sqlite") as db:
        assert db.execute("UPDATE pages SET record = X'00' || substr(record, 2)").rowcount > 50
    db.close()
    WORDS["body"](site)
    assert plans.build(site) == 1
    assert_same(site.public, cold(site))


# Inputs known by their signature ---------------------------------------------------------------

def test_files_given_new_times_are_read_again_and_nothing_else(make_site, monkeypatch):
    """A fresh checkout gives every file a new time: the build reads each again and finds the
    same bytes, so it parses and renders nothing."""
    site = make_site(newsroom(8))
    build(site)
    for path in (site.root / "content").rglob("*.md"):
        os.utime(path)

    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed or rendered")

    monkeypatch.setattr("sitegen.build.parse_articles", no_work)
    monkeypatch.setattr("sitegen.publish.publish", no_work)
    assert summary(build(site))[0] == 0


def test_an_article_rewritten_with_its_old_time_and_size_is_read_again(make_site):
    site = make_site(newsroom(8))
    build(site)
    path = site.root / "content/world/story-01.en.md"
    stat = path.stat()
    text = path.read_text("utf-8")
    path.write_text(text.replace("Story 1 opens", "Story 1 ended"), "utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    build(site)
    assert "Story 1 ended" in site.read("en/world/story-number-1/index.html")
    assert_same(site.public, cold(site))


def test_a_signature_is_remembered_only_once_it_has_settled(tmp_path: Path):
    """A file written again within the same tick of the clock keeps its signature: only a
    signature older than the build's `settled` time is remembered."""
    memo = Cache(tmp_path / "cache.sqlite")
    files = [("a.md", (10, 100, 1, 100)), ("b.md", (10, 300, 2, 300))]
    read: list[list[int]] = []

    def digests(places: list[int]) -> list[str]:
        read.append(places)
        return [f"digest-{n}" for n in places]

    assert memo.contents(files, digests, settled=200) == ["digest-0", "digest-1"]
    memo.close()
    memo = Cache(tmp_path / "cache.sqlite")
    assert memo.contents(files, digests, settled=400) == ["digest-0", "digest-1"]
    assert read == [[0, 1], [1]]  # b.md had not settled when first read
    memo.close()


def test_an_article_that_cannot_be_read_is_reported(make_site):
    site = make_site(newsroom(4))
    build(site)
    path = site.root / "content/world/story-01.en.md"
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("this user reads any file")
        result = site.build()
    finally:
        path.chmod(0o644)
    assert result.code == 1
    assert "content/world/story-01.en.md: error: cannot read: Permission denied" in result.err


# The tree swapped out, and the records ---------------------------------------------------------

def test_the_tree_swapped_out_holds_the_new_output(make_site):
    """After each build the tree kept beside the output holds the same files (links to them),
    so that the next build, the first edit after a cold build too, links nothing new."""
    site = make_site(newsroom(8))
    build(site)
    WORDS["body"](site)
    build(site)
    for path in site.public.rglob("*"):
        if path.is_file():
            assert path.stat().st_nlink == 2, path


def test_every_output_of_the_example_site_comes_back_from_its_record():
    config = pipeline.load_config(REPO)
    memo = Cache(None)
    inputs = pipeline.SiteInputs.read(config)
    keys = pipeline.known_keys(inputs, memo)
    plan = pipeline.plan_site(inputs, keys, BuildOptions(build_clock()), memo)
    completed = {v.source: v for story in plan.stories for v in story.versions}
    values = [*plan.outputs.rendered, *plan.outputs.copies, *plan.outputs.renditions]
    assert len(values) > 100
    for value in values:
        again = records.value_of(records.record(value), completed.__getitem__)
        assert again == value
        assert type(again) is type(value)


def test_a_record_of_an_unknown_kind_is_refused():
    import pickle

    with pytest.raises(records.Unreadable):
        records.value_of(pickle.dumps((records.VERSION, {"": "Path", "f": ("/etc",)})),
                         lambda source: pytest.fail(source))
    with pytest.raises(records.Unreadable):
        records.value_of(b"garbage", lambda source: pytest.fail(source))
    with pytest.raises(TypeError):
        records.record(Path("/etc"))


def test_a_file_changed_by_hand_that_the_site_no_longer_writes_is_gone(make_site, plans):
    site = make_site(newsroom(8))
    build(site)
    (site.public / "en/tags/only-here/index.html").write_text("changed by hand", "utf-8")
    (site.root / "content/americas/unique.en.md").unlink()
    build(site)
    assert not (site.public / "en/tags/only-here").exists()
    assert_same(site.public, cold(site))
    WORDS["body"](site)
    build(site)
    assert_same(site.public, cold(site))


def test_a_file_put_in_the_output_by_hand_stays_until_it_is_removed(make_site, plans):
    site = make_site(newsroom(8))
    build(site)
    (site.public / "extra").mkdir()
    (site.public / "extra/notes.txt").write_text("the deploy's own file", "utf-8")
    WORDS["body"](site)
    assert plans.build(site) == 0
    assert (site.public / "extra/notes.txt").read_text("utf-8") == "the deploy's own file"
    (site.public / "extra/notes.txt").unlink()
    (site.public / "extra").rmdir()
    WORDS["headline, slug given"](site)
    build(site)
    assert not (site.public / "extra").exists()
    assert_same(site.public, cold(site))


def test_a_kept_tree_that_no_longer_mirrors_the_output_is_made_again(make_site, plans):
    """The tree kept beside the output is believed only while its manifest is the output's
    own file: a kept tree copied elsewhere and back, or changed by hand, is made anew."""
    site = make_site(newsroom(8))
    build(site)
    (kept,) = (site.root / FOLDER / "trees").iterdir()
    manifest = kept / ".sitegen-files"
    data = manifest.read_bytes()
    manifest.unlink()
    manifest.write_bytes(data)  # the same bytes in another file
    (kept / "en/economy/story-number-2/index.html").unlink()
    (kept / "stray.txt").write_text("not the site's", "utf-8")
    WORDS["body"](site)
    build(site)
    assert_same(site.public, cold(site))


def test_a_large_output_is_looked_at_on_all_cores(make_site, plans, monkeypatch):
    """The output's folders two levels down are shared between processes: every file found,
    a changed one made again, one put there by hand kept, an empty folder too."""
    monkeypatch.setattr("sitegen.write.MANY", 1)
    site = make_site(newsroom(8))
    build(site, "-j", "2")
    (site.public / "en/tags/climate/index.html").write_text("changed by hand", "utf-8")
    (site.public / "es/world/own").mkdir()
    (site.public / "es/world/own/notes.txt").write_text("kept", "utf-8")
    (site.public / "en/world/empty").mkdir()
    WORDS["body"](site)
    assert plans.build(site, "-j", "2") == 0
    assert (site.public / "es/world/own/notes.txt").read_text("utf-8") == "kept"
    assert (site.public / "en/world/empty").is_dir()
    for extra in ("es/world/own/notes.txt", "es/world/own", "en/world/empty"):
        path = site.public / extra
        path.unlink() if path.is_file() else path.rmdir()
    assert_same(site.public, cold(site))
