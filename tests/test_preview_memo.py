"""The live preview's memo: after any sequence of saves, rebuilt from what the watcher named,
the preview holds exactly what a fresh `sitegen build --no-cache` of the same files writes.

The preview is driven in-process (no server, no watcher), so each save names its paths as the
watcher would, and every step is compared file by file with a cold build.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import CONFIG, EPOCH, JPEG, Site, article, photo, tree

from sitegen.commands import serve
from sitegen.commands.serve import Preview
from sitegen.commands.watch import Watcher

BUNDLED_TEMPLATES = Path(__file__).resolve().parents[1] / "themes" / "default" / "templates"
HOUR = 3600


def story(title: str, date: str, slug: str, tags: str = "[cuba]", **fields: str) -> str:
    return article(title, date=date, slug=slug, tags=tags, authors="[Staff]",
                   section="world", sources="[Reuters]", **fields)


FILES = {
    f"content/world/story{n}.{lang}.md": story(f"Story {n} {lang}", f"2014-0{1 + n % 9}-1{n}T10:00:00Z",
                                               f"story-{n}-{lang}", tags=f"[cuba, tag{n % 3}]")
    for n in range(8) for lang in ("en", "es")
} | {
    "content/world/draft.en.md": story("A Draft", "2014-05-05T10:00:00Z", "a-draft", draft="true"),
    # Comes out one hour after the tests' clock.
    "content/world/later.en.md": story("Later", "2025-01-01T01:00:00Z", "later"),
    "content/world/single.es.md": story("Solo en español", "2014-03-03T10:00:00Z", "solo"),
    "static/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n',
}
PAGED = CONFIG.replace('theme = "default"\n', 'theme = "default"\nper_page = 3\n')
STAFF = """
[authors.staff]
name = { en = "Staff", es = "Redacción" }
organization = true
bio = { en = "Our newsroom.", es = "Nuestra redacción." }
"""


class Editor:
    """Saves files of a site the way an editor would and names them as the watcher does."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.root = site.root.resolve()

    def save(self, rel: str, text: str | bytes) -> str:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, "utf-8")
        return str(path)

    def change(self, rel: str, old: str, new: str) -> str:
        text = (self.root / rel).read_text("utf-8")
        assert old in text, (rel, old)
        return self.save(rel, text.replace(old, new))

    def remove(self, rel: str) -> str:
        (self.root / rel).unlink()
        return str(self.root / rel)

    def move(self, rel: str, to: str) -> list[str]:
        (self.root / rel).rename(self.root / to)
        return [str(self.root / rel), str(self.root / to)]


def cold_build(site: Site, out: Path) -> dict[str, bytes]:
    shutil.rmtree(out, ignore_errors=True)
    result = site.build("--no-cache", "-j", "1", "-o", str(out))
    assert result.code == 0, result.err
    return tree(out)


def template_with_marker(marker: str) -> str:
    text = (BUNDLED_TEMPLATES / "article.html").read_text("utf-8")
    assert "</article>" in text
    return text.replace("</article>", f"<p>{marker}</p></article>", 1)


Save = Callable[[Editor, pytest.MonkeyPatch], "str | list[str]"]

SAVES: list[tuple[str, Save]] = [
    ("a body edited", lambda e, _: e.change("content/world/story3.en.md", "Second paragraph.",
                                            "A correction.")),
    ("a headline edited", lambda e, _: e.change("content/world/story2.es.md", "title: Story 2 es",
                                                "title: Titular nuevo")),
    ("a date moved (the listings reorder)",
     lambda e, _: e.change("content/world/story1.en.md", "2014-02-11", "2014-09-30")),
    ("tags changed", lambda e, _: e.change("content/world/story4.en.md", "[cuba, tag1]",
                                           "[havana, tag1]")),
    ("a draft published", lambda e, _: e.change("content/world/draft.en.md", "draft: true\n", "")),
    ("a story published as a draft",
     lambda e, _: e.change("content/world/story5.es.md", "section: world",
                           "section: world\ndraft: true")),
    ("an article added", lambda e, _: e.save("content/world/new.en.md",
                                             story("Brand New", "2014-06-06T10:00:00Z", "new"))),
    ("its translation added",
     lambda e, _: e.save("content/world/new.es.md", story("Nuevo", "2014-06-06T11:00:00Z", "nuevo"))),
    ("an article removed", lambda e, _: e.remove("content/world/story6.es.md")),
    ("an article renamed", lambda e, _: e.move("content/world/story7.en.md",
                                               "content/world/renamed.en.md")),
    ("two stories joined by translation_key",
     lambda e, _: [e.change("content/world/renamed.en.md", "section: world",
                            "section: world\ntranslation_key: joined"),
                   e.change("content/world/single.es.md", "section: world",
                            "section: world\ntranslation_key: joined")]),
    ("a translation falls behind its original",
     lambda e, _: [e.change("content/world/story0.es.md", "section: world",
                            "section: world\ntranslated_from: 0000000000"),
                   e.change("content/world/story0.en.md", "Second paragraph.", "Updated.")]),
    ("the clock passes a scheduled article",
     lambda e, mp: (mp.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 2 * HOUR)), [])[1]),
    ("the site's own template", lambda e, _: e.save("themes/default/templates/article.html",
                                                    template_with_marker("MARKER-1"))),
    ("that template edited", lambda e, _: e.save("themes/default/templates/article.html",
                                                 template_with_marker("MARKER-2"))),
    ("a static file edited", lambda e, _: e.save("static/logo.svg", "<svg/>\n")),
    ("the configuration edited",
     lambda e, _: e.change("sitegen.toml", 'title = "The Island Post"', 'title = "The Post"')),
    ("a body edited again", lambda e, _: e.change("content/world/story3.en.md", "A correction.",
                                                  "Another correction.")),
    ("a photo beside a story becomes its lead",
     lambda e, _: [e.save("content/world/photo.jpg", JPEG),
                   e.change("content/world/story3.en.md", "section: world",
                            "section: world\nimage: photo.jpg")]),
    ("the photo replaced", lambda e, _: e.save("content/world/photo.jpg", photo(80, 50))),
    ("the photo shown in a body too",
     lambda e, _: e.change("content/world/story3.en.md", "Another correction.",
                           'Another correction.\n\n![A map](photo.jpg "The map.")')),
    ("its caption edited", lambda e, _: e.change("content/world/story3.en.md", '"The map."',
                                                 '"The new map."')),
    ("a dateline added", lambda e, _: e.change("content/world/story3.en.md", "section: world",
                                               "section: world\ndateline: HAVANA")),
    ("a date given at midnight", lambda e, _: e.change("content/world/story4.en.md",
                                                       "2014-05-14T10:00:00Z",
                                                       "2014-05-14T00:00:00")),
    ("the same day without its time",
     lambda e, _: e.change("content/world/story4.en.md", "2014-05-14T00:00:00", "2014-05-14")),
    ("an authors table added",
     lambda e, _: e.save("sitegen.toml", (e.root / "sitegen.toml").read_text("utf-8") + STAFF)),
    ("a bio edited", lambda e, _: e.change("sitegen.toml", "Our newsroom.", "The newsroom.")),
]


@pytest.mark.parametrize("named", [True, False], ids=["named by the watcher", "found by a look"])
def test_every_save_gives_what_a_cold_build_writes(make_site, monkeypatch, tmp_path: Path,
                                                   named: bool):
    """Each save, named by the watcher or found by a look at every source (the preview's
    first build after it starts, and its check after a quiet while)."""
    site = make_site(FILES, config=PAGED)
    editor, preview = Editor(site), Preview(site.root, drafts=False, future=False)
    assert preview.rebuild(jobs=1)
    assert tree(preview.out_dir) == cold_build(site, tmp_path / "cold")
    for name, save in SAVES:
        paths = save(editor, monkeypatch)
        assert preview.rebuild(set([paths] if isinstance(paths, str) else paths)
                               if named else None), name
        assert tree(preview.out_dir) == cold_build(site, tmp_path / "cold"), name


def test_a_broken_save_and_its_fix_end_as_a_cold_build(make_site, tmp_path: Path, capsys):
    site = make_site(FILES, config=PAGED)
    editor, preview = Editor(site), Preview(site.root, drafts=False, future=False)
    assert preview.rebuild(jobs=1)
    good = tree(preview.out_dir)
    broken = editor.change("content/world/story3.en.md", "title: Story 3 en", "title: [oops")
    capsys.readouterr()
    assert not preview.rebuild({broken})
    assert preview.problems and "story3.en.md" in preview.problems[0]
    assert not preview.rebuild(None)  # the quiet-time look finds the same problem: said once
    assert capsys.readouterr().err.count("story3.en.md") == 1
    assert tree(preview.out_dir) == good
    fixed = editor.change("content/world/story3.en.md", "title: [oops", "title: Fixed")
    assert preview.rebuild({fixed}) and not preview.problems
    assert tree(preview.out_dir) == cold_build(site, tmp_path / "cold")


def test_builds_trust_the_watcher_and_a_check_finds_what_it_missed(make_site, tmp_path: Path):
    """A save the watcher did not name stays unseen by builds that trust it (they read nothing
    else), until a build that looks at every source, as the preview runs after a quiet while."""
    site = make_site(FILES, config=PAGED)
    editor, preview = Editor(site), Preview(site.root, drafts=False, future=False)
    assert preview.rebuild(jobs=1)
    before = tree(preview.out_dir)
    editor.change("content/world/story3.en.md", "Second paragraph.", "Unannounced.")
    assert preview.rebuild(set())
    assert tree(preview.out_dir) == before
    assert preview.rebuild(None)
    assert b"Unannounced." in (preview.out_dir / "en/world/story-3-en/index.html").read_bytes()
    assert tree(preview.out_dir) == cold_build(site, tmp_path / "cold")


@contextmanager
def building(site: Site) -> Iterator[tuple[Editor, Preview]]:
    """The preview of a built site with its builder running, as `sitegen serve` runs it."""
    editor, preview = Editor(site), Preview(site.root, drafts=False, future=False)
    assert preview.rebuild(jobs=1)
    builder = threading.Thread(target=preview.run_builder, daemon=True)
    builder.start()
    try:
        yield editor, preview
    finally:
        preview.stop()
        builder.join(timeout=5)


def until(done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 20
    while not done():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_the_builder_checks_every_source_after_a_quiet_while(make_site, monkeypatch):
    monkeypatch.setattr(serve, "CHECK_AFTER", 0.2)
    with building(make_site(FILES, config=PAGED)) as (editor, preview):
        page = preview.out_dir / "en/world/story-3-en/index.html"
        preview.changed([editor.change("content/world/story3.en.md", "First", "Named")])
        editor.change("content/world/story2.en.md", "First", "Unnamed")
        until(lambda: b"Unnamed" in (preview.out_dir / "en/world/story-2-en/index.html")
              .read_bytes(), "the check never came")
        assert b"Named" in page.read_bytes()


def test_the_builder_brings_the_search_index_up_to_a_save_once_quiet(make_site, tmp_path: Path):
    site = make_site(FILES, config=PAGED)
    with building(site) as (editor, preview):
        preview.changed([editor.change("content/world/story3.en.md", "First", "Searched")])
        cold = cold_build(site, tmp_path / "cold")
        until(lambda: tree(preview.out_dir) == cold, "the index never caught up")


def test_the_watcher_names_a_saved_file_and_not_its_folder(tmp_path: Path):
    """A folder's own 'modified' event would make every save look at every source."""
    story = tmp_path / "content" / "world" / "story.en.md"
    story.parent.mkdir(parents=True)
    story.write_text("first\n", "utf-8")
    named: list[list[str]] = []
    watcher = Watcher(tmp_path, named.append)
    watcher.start()
    try:
        story.write_text("second\n", "utf-8")
        deadline = time.monotonic() + 10
        while not named:
            assert time.monotonic() < deadline, "the watcher named nothing"
            time.sleep(0.02)
        time.sleep(0.3)  # whatever else the save makes the watcher say
    finally:
        watcher.stop()
    assert {path for paths in named for path in paths} == {str(story)}


def test_a_body_edit_renders_only_the_files_that_show_the_article(make_site, tmp_path: Path,
                                                                  monkeypatch):
    """The fast path: a save that leaves an article's place alone renders the files that show
    its words (its page, its translation's, the listings and feeds that list it), and no other
    file changes, whether the watcher named it or a look at every source found it; a save that
    moves it (a new date) runs the whole pipeline."""
    from sitegen.assemble import BuildOptions
    from sitegen.commands import preview
    from sitegen.commands.preview import Session

    def whole_pipeline(*args: object, **kwargs: object) -> None:
        raise AssertionError("the whole pipeline ran for a body edit")

    site = make_site(FILES, config=PAGED)
    editor, out = Editor(site), tmp_path / "preview"
    session = Session(site.root.resolve(), out)
    options = BuildOptions(now=datetime.fromtimestamp(int(EPOCH), UTC))
    first = session.build(options, None)
    edited = editor.change("content/world/story3.en.md", "Second paragraph.", "A correction.")
    # Not named: only a build that reads every source sees it, which the fast path does not.
    editor.change("content/world/story2.en.md", "Second paragraph.", "Unannounced.")
    report = session.build(options, {edited}).report
    assert {"en/world/story-3-en/index.html", "en/feed.xml"} <= set(report.renewed)
    assert len(report.renewed) < first.files // 4
    assert all(path.startswith(("en/", "pagefind/")) for path in report.renewed)
    assert b"Unannounced" not in (out / "en/world/story-2-en/index.html").read_bytes()
    with monkeypatch.context() as patched:  # a look at every source finds it, and swaps it in
        patched.setattr(preview, "build_site", whole_pipeline)
        assert "en/world/story-2-en/index.html" in session.build(options, None).report.renewed
    session.index()  # the search index catches up a moment later
    assert tree(out) == cold_build(site, tmp_path / "cold")
    moved = editor.change("content/world/story3.en.md", "2014-04-13", "2014-09-30")
    assert session.build(options, {moved}).report.renewed  # listings reorder: the full build
    assert tree(out) == cold_build(site, tmp_path / "cold")
    session.close()
    # Started again on a folder that is up to date, the preview's first save is fast too.
    session = Session(site.root.resolve(), out)
    assert not session.build(options, None).report.renewed
    edited = editor.change("content/world/story3.en.md", "A correction.", "Corrected again.")
    editor.change("content/world/story2.en.md", "Unannounced.", "Unannounced twice.")
    assert "en/world/story-3-en/index.html" in session.build(options, {edited}).report.renewed
    assert b"Unannounced twice" not in (out / "en/world/story-2-en/index.html").read_bytes()
    session.close()
    # Started again after an edit, its first build (a look at every source) swaps it in.
    session = Session(site.root.resolve(), out)
    assert session.build(options, None).report.renewed  # the unannounced edit, whole
    editor.change("content/world/story3.en.md", "Corrected again.", "Corrected once more.")
    with monkeypatch.context() as patched:
        patched.setattr(preview, "build_site", whole_pipeline)
        assert "en/world/story-3-en/index.html" in session.build(options, None).report.renewed
    session.index()
    assert tree(out) == cold_build(site, tmp_path / "cold")
    session.close()


def test_saves_keep_the_templates_loaded_until_the_theme_changes(make_site, tmp_path: Path,
                                                                 monkeypatch):
    """A body save renders with the templates the last save loaded (loading them again cost a
    20,000-story preview a quarter of its save); a save after the theme changed renders with
    the new templates."""
    from sitegen import publish
    from sitegen.assemble import BuildOptions
    from sitegen.commands.preview import Session

    made: list[str] = []

    class CountedRenderer(publish.Renderer):
        def __init__(self, *args: object, **kwargs: object) -> None:
            made.append("renderer")
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(publish, "Renderer", CountedRenderer)
    site = make_site(FILES, config=PAGED)
    editor, out = Editor(site), tmp_path / "preview"
    session = Session(site.root.resolve(), out)
    options = BuildOptions(now=datetime.fromtimestamp(int(EPOCH), UTC))
    session.build(options, None)
    page = out / "en/world/story-3-en/index.html"
    saved = editor.change("content/world/story3.en.md", "Second paragraph.", "A correction.")
    assert "en/world/story-3-en/index.html" in session.build(options, {saved}).report.renewed
    made.clear()
    saved = editor.change("content/world/story3.en.md", "A correction.", "Corrected again.")
    assert "en/world/story-3-en/index.html" in session.build(options, {saved}).report.renewed
    assert b"Corrected again." in page.read_bytes() and made == []
    template = editor.save("themes/default/templates/article.html", template_with_marker("NEW"))
    assert session.build(options, {template}).report.renewed
    saved = editor.change("content/world/story3.en.md", "Corrected again.", "Corrected twice.")
    assert "en/world/story-3-en/index.html" in session.build(options, {saved}).report.renewed
    assert b"<p>NEW</p>" in page.read_bytes() and b"Corrected twice." in page.read_bytes()
    session.index()
    assert tree(out) == cold_build(site, tmp_path / "cold")
    session.close()


@pytest.mark.parametrize("fails", [False, True], ids=["saved", "the save fails"])
def test_a_save_is_swapped_in_without_the_garbage_collector(make_site, tmp_path: Path,
                                                            monkeypatch, fails: bool):
    """Its young collections would trace the copies of the site's tables a swap makes; the
    collector is on again afterwards, whatever happened."""
    import gc

    from sitegen.assemble import BuildOptions
    from sitegen.commands import preview
    from sitegen.commands.preview import Session

    site = make_site(FILES, config=PAGED)
    editor, out = Editor(site), tmp_path / "preview"
    session = Session(site.root.resolve(), out)
    options = BuildOptions(now=datetime.fromtimestamp(int(EPOCH), UTC))
    session.build(options, None)
    collecting: list[bool] = []
    publish_site = preview.publish_site

    def publish_watched(*args: object, **kwargs: object) -> object:
        collecting.append(gc.isenabled())
        if fails:
            raise OSError("the disk is full")
        return publish_site(*args, **kwargs)

    monkeypatch.setattr(preview, "publish_site", publish_watched)
    saved = editor.change("content/world/story3.en.md", "Second paragraph.", "A correction.")
    assert gc.isenabled()
    if fails:
        with pytest.raises(OSError):
            session.build(options, {saved})
    else:
        assert "en/world/story-3-en/index.html" in session.build(options, {saved}).report.renewed
    assert collecting == [False] and gc.isenabled()
    session.close()
