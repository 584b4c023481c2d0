"""Bad input: every error reported in one run, exit status 1, previous output untouched."""

from __future__ import annotations

import re

import pytest

from conftest import article, tree

GOOD = {
    "content/news/good.en.md": article("Good Story"),
    "content/news/good.es.md": article("Buena nota"),
}
BAD = {
    "content/news/broken.en.md": "---\ntitle: Broken\ndate: 2015-01-12\nsummary: a: b\n---\nx\n",
    "content/news/untitled.en.md": article(None),
    "content/news/when.en.md": article("When", date="the day after tomorrow"),
    "content/world/dup-one.es.md": article("Uno", translation_key="dup"),
    "content/world/dup-two.es.md": article("Dos", translation_key="dup"),
}
DIAGNOSTIC = re.compile(r"^(\S+?)(?::(\d+))?: error: .+$")


def test_all_bad_files_reported_together(make_site):
    site = make_site({**GOOD, **BAD})
    result = site.build()
    assert result.code == 1
    assert "Traceback" not in result.err and "Traceback" not in result.out
    errors = [l for l in result.err.splitlines() if DIAGNOSTIC.match(l)]
    named = " ".join(errors)
    for path in BAD:
        assert path in named, path
    assert any(l.startswith("content/news/broken.en.md:4: error:") for l in errors)
    assert any(l.startswith("content/news/when.en.md:3: error:") for l in errors)
    dup = [l for l in errors if "dup-one.es.md" in l and "dup-two.es.md" in l]
    assert dup, errors


def test_every_error_line_has_the_diagnostic_format(make_site):
    site = make_site({**GOOD, **BAD})
    result = site.build()
    lines = result.err.splitlines()
    assert lines[-1].startswith("sitegen:") and "error" in lines[-1]
    for line in lines[:-1]:
        assert DIAGNOSTIC.match(line), line


def test_failed_build_leaves_previous_output_byte_identical(make_site):
    site = make_site(GOOD)
    assert site.build().code == 0
    before = tree(site.public)
    inodes = {p: (site.public / p).stat().st_ino for p in before}
    for rel, text in BAD.items():
        site.write(rel, text)
    site.write("content/news/good.en.md", article("Changed Headline"))
    result = site.build()
    assert result.code == 1
    assert tree(site.public) == before
    assert {p: (site.public / p).stat().st_ino for p in before} == inodes
    leftovers = [p.name for p in site.root.iterdir() if "sitegen" in p.name and p.name not in ("sitegen.toml", ".sitegen-cache")]
    assert leftovers == []


def test_failed_first_build_writes_nothing(make_site):
    site = make_site(BAD)
    assert site.build().code == 1
    assert not site.public.exists()
    # Only the build's own cache folder may appear beside the site's files.
    assert sorted(p.name for p in site.root.iterdir()) == [".sitegen-cache", "content",
                                                           "sitegen.toml"]


@pytest.mark.parametrize("output", [".", "content", "..", "content/news", "themes"])
def test_refused_output_folders(make_site, monkeypatch, output):
    site = make_site(GOOD)
    site.write("themes/default/static/x.txt", "x")
    monkeypatch.chdir(site.root)
    before = tree(site.root.parent)
    result = site.runner("build", "-o", output)
    assert result.code == 1
    assert "refus" in result.err
    assert "Traceback" not in result.err
    assert tree(site.root.parent) == before


def test_refused_parent_given_as_absolute_path(make_site):
    site = make_site(GOOD)
    before = tree(site.root.parent)
    result = site.build("-o", str(site.root.parent))
    assert result.code == 1
    assert tree(site.root.parent) == before


def test_missing_content_folder(make_site):
    site = make_site({})
    (site.root / "content").rmdir()
    result = site.build()
    assert result.code == 1
    assert "content" in result.err


def test_slug_collision_names_both_files(make_site):
    site = make_site({"content/news/a.en.md": article("Same Title"),
                      "content/news/b.en.md": article("Same Title")})
    result = site.build()
    assert result.code == 1
    assert "content/news/a.en.md" in result.err and "content/news/b.en.md" in result.err
    assert not site.public.exists()


def test_unknown_theme(make_site):
    from conftest import config_with
    site = make_site(GOOD, config=config_with().replace('theme = "default"', 'theme = "nope"'))
    result = site.build()
    assert result.code == 1
    assert "nope" in result.err


def test_invalid_catalog_is_reported(make_site):
    site = make_site({**GOOD, "locales/es/LC_MESSAGES/messages.po":
                      'msgid "Newer"\nmsgstr "x\n\nmsgid\n'})
    result = site.build()
    assert result.code == 1
    assert "locales/es/LC_MESSAGES/messages.po" in result.err
    assert "Traceback" not in result.err


def test_unknown_command_exits_non_zero(run):
    assert run("frobnicate").code != 0
