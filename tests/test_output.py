"""Writing the output: deterministic bytes, untouched unchanged files, nothing foreign deleted."""

from __future__ import annotations

import shutil
import sqlite3
from unittest.mock import ANY

import pytest
from conftest import article, tree

from sitegen import build, write
from sitegen.cache import open_cache

FILES = {
    "content/news/a.en.md": article("Alpha", tags="[cuba, music]", author="Ana",
                                    sources="[Reuters]"),
    "content/news/a.es.md": article("Alfa", tags="[cuba, música]", author="Ana"),
    "content/world/b.en.md": article("Beta", date="2015-02-01"),
    "static/images/logo.txt": "logo\n",
}


def test_two_builds_are_byte_identical(make_site, tmp_path):
    site = make_site(FILES)
    assert site.build("-o", str(tmp_path / "one")).code == 0
    assert site.build("-o", str(tmp_path / "two")).code == 0
    one, two = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert len(one) > 10
    assert one == two


def test_same_content_in_another_folder_gives_same_bytes(make_site, tmp_path):
    first = make_site(FILES, name="first")
    second = make_site(FILES, name="second")
    assert first.build().code == 0 and second.build().code == 0
    assert tree(first.public) == tree(second.public)


def test_static_files_are_copied_as_they_are(make_site):
    site = make_site(FILES)
    assert site.build().code == 0
    assert (site.public / "images/logo.txt").read_text() == "logo\n"


def test_unchanged_file_keeps_its_inode(make_site):
    site = make_site(FILES)
    assert site.build().code == 0
    page = site.public / "en/world/beta/index.html"
    inode, mtime = page.stat().st_ino, page.stat().st_mtime_ns
    site.write("content/news/a.en.md", article("Alpha Changed", tags="[cuba, music]"))
    result = site.build()
    assert result.code == 0
    assert page.stat().st_ino == inode
    assert page.stat().st_mtime_ns == mtime
    assert "unchanged" in result.out


def test_a_first_build_leaves_the_output_mirrored_beside_it(make_site):
    """The tree the next build starts from holds the output's very files (links), so that the
    first edit after a first build links what it changes, not the whole site."""
    site = make_site(FILES)
    assert site.build().code == 0
    (kept,) = (site.root / ".sitegen-cache" / "trees").iterdir()
    files = sorted(p.relative_to(site.public) for p in site.public.rglob("*") if p.is_file())
    assert len(files) > 10
    assert files == sorted(p.relative_to(kept) for p in kept.rglob("*") if p.is_file())
    assert all((site.public / f).stat().st_ino == (kept / f).stat().st_ino for f in files)

    site.write("content/news/a.en.md", article("Alpha Changed", tags="[cuba, music]"))
    result = site.build()
    assert result.code == 0
    assert all((site.public / f).stat().st_ino == (kept / f).stat().st_ino for f in files
               if (site.public / f).is_file())


def test_rebuild_without_changes_reports_nothing_written(make_site):
    site = make_site(FILES)
    assert site.build().code == 0
    result = site.build()
    assert result.code == 0
    assert "(0 written," in result.out and "0 removed" in result.out


def test_user_file_in_output_survives_rebuild(make_site):
    site = make_site(FILES)
    assert site.build().code == 0
    (site.public / "CNAME").write_text("news.example.org\n")
    (site.public / "en/extra").mkdir()
    (site.public / "en/extra/note.txt").write_text("mine\n")
    assert site.build().code == 0
    assert (site.public / "CNAME").read_text() == "news.example.org\n"
    assert (site.public / "en/extra/note.txt").read_text() == "mine\n"
    assert site.build().code == 0
    assert (site.public / "CNAME").read_text() == "news.example.org\n"


def test_user_file_in_the_way_of_a_page_is_not_overwritten(make_site):
    site = make_site({"content/news/a.en.md": article("Alpha")})
    assert site.build().code == 0
    site.write("content/news/b.en.md", article("Beta"))
    (site.public / "en/news/beta").mkdir(parents=True)
    (site.public / "en/news/beta/index.html").write_text("hand made\n")
    result = site.build()
    assert result.code == 1
    assert (site.public / "en/news/beta/index.html").read_text() == "hand made\n"


def test_deleted_article_page_disappears(make_site):
    site = make_site(FILES)
    assert site.build().code == 0
    assert (site.public / "en/world/beta/index.html").is_file()
    (site.root / "content/world/b.en.md").unlink()
    result = site.build()
    assert result.code == 0
    assert not (site.public / "en/world/beta").exists()
    assert "beta" not in (site.public / "sitemap.xml").read_text()
    assert "Beta" not in (site.public / "en/index.html").read_text()


def test_stale_tag_pages_are_removed(make_site):
    site = make_site(FILES)
    assert site.build().code == 0
    assert (site.public / "es/temas/musica/index.html").is_file()
    site.write("content/news/a.es.md", article("Alfa", tags="[cuba]"))
    assert site.build().code == 0
    assert not (site.public / "es/temas/musica").exists()


def test_non_empty_output_folder_not_written_by_sitegen_is_refused(make_site, tmp_path):
    site = make_site(FILES)
    out = tmp_path / "elsewhere"
    out.mkdir()
    (out / "precious.txt").write_text("keep me\n")
    result = site.build("-o", str(out))
    assert result.code == 1
    assert str(out) in result.err
    assert tree(out) == {"precious.txt": b"keep me\n"}


def test_output_path_that_is_a_file_is_refused(make_site, tmp_path):
    site = make_site(FILES)
    out = tmp_path / "file"
    out.write_text("x")
    assert site.build("-o", str(out)).code == 1
    assert out.read_text() == "x"


def test_empty_existing_output_folder_is_used(make_site, tmp_path):
    site = make_site(FILES)
    out = tmp_path / "empty"
    out.mkdir()
    result = site.build("-o", str(out))
    assert result.code == 0
    assert (out / "en/news/alpha/index.html").is_file()
    assert str(out) in result.out


def test_build_writes_nothing_beside_the_output(make_site, tmp_path):
    site = make_site(FILES)
    before = sorted(p.name for p in tmp_path.iterdir())
    out = tmp_path / "out"
    assert site.build("-o", str(out)).code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(before + ["out"])
    assert sorted(p.name for p in site.root.iterdir()) == [".sitegen-cache", "content",
                                                           "sitegen.toml", "static"]


def test_the_look_at_an_unchanged_output_sees_every_change(make_site):
    """The no-change build's look at the output (`holds`): a copy with new times is the same
    output, a changed or missing file is not."""
    site = make_site(FILES)
    assert site.build().code == 0
    memo = open_cache(site.root, True)
    written = memo.written(site.public)
    memo.close()
    assert write.holds(site.public, written) is written

    page = site.public / "en/world/beta/index.html"
    copied = site.root / "copied"
    shutil.copytree(site.public, copied, copy_function=shutil.copyfile)  # new times
    held = write.holds(copied, written)
    assert held is not None and held.keys() == written.keys()
    assert held["en/world/beta/index.html"].mtime_ns == (
        copied / "en/world/beta/index.html").stat().st_mtime_ns
    assert held["en/world/beta/index.html"].digest == written["en/world/beta/index.html"].digest

    (copied / "en/world/beta/index.html").write_bytes(page.read_bytes() + b" ")
    assert write.holds(copied, written) is None
    (copied / "en/world/beta/index.html").unlink()
    assert write.holds(copied, written) is None


@pytest.mark.parametrize("look", ["beside", "beside fails", "here"])
def test_a_no_change_build_looks_at_the_output_beside_or_itself(make_site, monkeypatch, look):
    """The no-change build of a large site looks at the output in a process beside it while
    it reads the sources, or, where that process fails, itself, as a small site's does: a
    copy of the folder with new times is kept with its new times recorded, a changed or
    missing file is made again."""
    site = make_site(FILES)
    assert site.build().code == 0
    if look != "here":
        monkeypatch.setattr(build, "LARGE", 1)  # however few its articles
    if look == "beside":
        def not_here(*args):
            raise AssertionError("the build looked at the output itself")
        monkeypatch.setattr(build, "holds", not_here)
    if look == "beside fails":
        def fails(cache, out):
            raise OSError("no process beside")
        monkeypatch.setattr(build, "_look_at_output", fails)
    page = "en/world/beta/index.html"
    was = site.read(page)
    copied = site.root / "copied"
    shutil.copytree(site.public, copied, copy_function=shutil.copyfile)  # new times
    shutil.rmtree(site.public)
    copied.rename(site.public)

    done = site.build()
    assert done.code == 0 and "(0 written" in done.out
    memo = open_cache(site.root, True)
    assert memo.written(site.public)[page].mtime_ns == (site.public / page).stat().st_mtime_ns
    memo.close()
    assert "(0 written" in site.build().out

    (site.public / page).write_text(was + " ", "utf-8")
    assert "(1 written" in site.build().out and site.read(page) == was
    (site.public / page).unlink()
    assert "(1 written" in site.build().out and site.read(page) == was


def test_the_look_beside_reads_the_record_without_changing_the_cache(make_site):
    """The process beside the build reads the output's record read-only: the number of its
    files and those that changed only their time, None where the folder does not hold them
    all; or an error where the cache cannot be read (the build then looks itself). The cache
    is left as it was."""
    site = make_site(FILES)
    assert site.build().code == 0
    cache = site.root / ".sitegen-cache" / "cache.sqlite"
    before = cache.read_bytes()
    count, changed = build._look_at_output(cache, site.public)
    assert count == len(tree(site.public)) - 1 and changed == {}  # all but the manifest
    page = site.public / "en/world/beta/index.html"
    data = page.read_bytes()
    page.unlink()
    page.write_bytes(data)  # new times, the same bytes
    assert build._look_at_output(cache, site.public) == (
        count, {"en/world/beta/index.html": ANY})
    (site.public / "en/news/index.html").unlink()
    assert build._look_at_output(cache, site.public) == (count, None)
    with pytest.raises(LookupError):
        build._look_at_output(site.root / "nowhere.sqlite", site.public)
    assert not (site.root / "nowhere.sqlite").exists()
    assert cache.read_bytes() == before

    with sqlite3.connect(cache) as db:
        db.execute("UPDATE shelves SET record = x'00' WHERE name LIKE 'files:%'")
    with pytest.raises(LookupError):  # a damaged part: read whole or not at all
        build._look_at_output(cache, site.public)
