"""Writing the output: deterministic bytes, untouched unchanged files, nothing foreign deleted."""

from __future__ import annotations

import shutil

import pytest
from conftest import article, tree

from sitegen import write
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


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_look_at_an_unchanged_output_sees_every_change(make_site, monkeypatch, jobs):
    """The no-change build's look at the output (`holds`), on one core or shared out as on a
    large site's: a copy with new times is the same output, a changed or missing file is
    not."""
    site = make_site(FILES)
    assert site.build().code == 0
    memo = open_cache(site.root, True)
    written = memo.written(site.public)
    memo.close()
    monkeypatch.setattr(write, "MANY", 1)  # shared out however few the files
    assert write.holds(site.public, written, jobs=jobs) is written

    page = site.public / "en/world/beta/index.html"
    copied = site.root / "copied"
    shutil.copytree(site.public, copied, copy_function=shutil.copyfile)  # new times
    held = write.holds(copied, written, jobs=jobs)
    assert held is not None and held.keys() == written.keys()
    assert held["en/world/beta/index.html"].mtime_ns == (
        copied / "en/world/beta/index.html").stat().st_mtime_ns
    assert held["en/world/beta/index.html"].digest == written["en/world/beta/index.html"].digest

    (copied / "en/world/beta/index.html").write_bytes(page.read_bytes() + b" ")
    assert write.holds(copied, written, jobs=jobs) is None
    (copied / "en/world/beta/index.html").unlink()
    assert write.holds(copied, written, jobs=jobs) is None
