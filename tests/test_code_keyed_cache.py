"""The cache is keyed by the code: after sitegen's own code, or a library that shapes what it
writes, changes, a build with the cache writes exactly what a cold build by the new code writes.

Each test builds a site with a copy of the `sitegen` package (run as `python -m sitegen` with
PYTHONPATH naming the copy), changes the copy the way a developer or an upgrade would, and
builds again with the cache left by the old code.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CONFIG, EPOCH, article, tree

REPO = Path(__file__).resolve().parents[1]

FILES = {
    "content/world/talks.en.md": article(
        "Talks resume", slug="talks", tags="[cuba, havana]", authors="[Staff, Ana Pérez]",
        sources="[Reuters]",
        body="The talks resumed[^1].\n\n| city | delegates |\n|:--|--:|\n| Havana | 12 |\n\n"
             "[^1]: After two years.\n"),
    "content/world/talks.es.md": article(
        "Se reanudan las conversaciones", slug="conversaciones", tags="[cuba]",
        authors="[Staff]", sources="[EFE]",
        body="Las conversaciones se reanudaron[^1].\n\n[^1]: Tras dos años.\n"),
    "content/culture/music.en.md": article(
        "A festival in Santiago", date="2015-02-01T10:00:00Z", slug="festival", tags="[music]",
        authors="[Staff]", body="Bands from the whole island.\n"),
}

# Edits a developer makes to sitegen, each changing what a build writes where the page's
# inputs (front matter, templates, catalogs, configuration) stay the same:
EDITS = {
    # JSON-LD is made from each article when its page is rendered, outside the page's inputs.
    "seo.py: JSON-LD @context": ("seo.py", '"@context": "https://schema.org"',
                                 '"@context": "http://schema.org"'),
    # Compiled templates are kept on disk; the template files do not change.
    "render.py: Jinja whitespace": ("render.py", '"trim_blocks": True', '"trim_blocks": False'),
    # Parsed articles, body HTML included, are kept by the bytes of their files.
    "content.py: table alignment classes": ("content.py", 'f"align-{side[1]}"',
                                            'f"text-{side[1]}"'),
}


def copy_of(package: Path, into: Path) -> Path:
    """A package folder copied (without compiled files) into `into`; returns the copy."""
    into.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copytree(package, into / package.name,
                                ignore=shutil.ignore_patterns("__pycache__")))


def sitegen_copy(into: Path) -> Path:
    """sitegen's code, with the bundled theme and catalogs beside it as in the repository."""
    copy_of(REPO / "sitegen", into)
    for folder in ("themes", "locales"):
        shutil.copytree(REPO / folder, into / folder)
    return into


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), "utf-8")


def make_site(root: Path) -> Path:
    for rel, text in {"sitegen.toml": CONFIG, **FILES}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, "utf-8")
    return root


def build(code: Path, site: Path, out: Path, *args: str, libraries: Path | None = None
          ) -> dict[str, bytes]:
    """`python -m sitegen build` run by the code in `code` (and `libraries` before the installed
    ones); what it wrote into `out`."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONPATH": os.pathsep.join(str(p) for p in (libraries, code) if p is not None)}
    result = subprocess.run(
        [sys.executable, "-m", "sitegen", "build", "-s", str(site), "-o", str(out), *args],
        cwd=code, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    assert "build cache" not in result.stderr, result.stderr  # a cache it could not use
    return tree(out)


def imported_from(code: Path, module: str, libraries: Path | None = None) -> Path:
    """Where `python` run as `build` runs it imports `module` from."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        str(p) for p in (libraries, code) if p is not None)}
    found = subprocess.run([sys.executable, "-c", f"import {module}; print({module}.__file__)"],
                           cwd=code, env=env, capture_output=True, text=True, check=True)
    return Path(found.stdout.strip()).parent


Tree = dict[str, bytes]


def cached_then_cold(code: Path, tmp_path: Path, change: Callable[[], object],
                     libraries: tuple[Path | None, Path | None] = (None, None)
                     ) -> tuple[Tree, Tree, Tree]:
    """(what the code wrote, what it wrote with that cache after `change`, what the changed code
    writes cold). The code stays in one folder: its theme's place is part of every page's key."""
    site = make_site(tmp_path / "site")
    before = build(code, site, site / "public", libraries=libraries[0])
    change()
    cached = build(code, site, site / "public", libraries=libraries[1])
    cold = build(code, site, tmp_path / "cold", "--no-cache", libraries=libraries[1])
    return before, cached, cold


def changed(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def test_the_builds_run_the_copy(tmp_path: Path) -> None:
    code = sitegen_copy(tmp_path / "code")
    assert imported_from(code, "sitegen") == code / "sitegen"


@pytest.mark.parametrize("change", list(EDITS.values()), ids=list(EDITS))
def test_an_edit_of_sitegens_code_gives_what_the_edited_code_writes_cold(
        tmp_path: Path, change: tuple[str, str, str]) -> None:
    code = sitegen_copy(tmp_path / "code")
    module, old, new = change
    before, cached, cold = cached_then_cold(
        code, tmp_path, lambda: edit(code / "sitegen" / module, old, new))
    assert changed(before, cold), "the edit changes nothing a build writes"
    assert changed(cached, cold) == []


def test_a_new_article_field_with_a_default(tmp_path: Path) -> None:
    """A field no cached article has: the cache made by the old class is not read into it."""
    code = sitegen_copy(tmp_path / "code")
    field = "    extra: dict[str, Any] = field(default_factory=dict)\n"
    before, cached, cold = cached_then_cold(code, tmp_path, lambda: edit(
        code / "sitegen" / "content.py", field,
        field + '    kicker: str = ""  # a line over the headline\n'))
    assert changed(cached, cold) == []
    assert changed(before, cold) == []  # the field is used nowhere


def test_a_cache_written_by_another_release_of_sitegen(tmp_path: Path) -> None:
    """The same code under another version number: the older release's cache is set aside
    without a word, and the build writes what a cold build writes."""
    code = sitegen_copy(tmp_path / "code")
    version = code / "sitegen" / "__init__.py"
    edit(version, '__version__ = "', '__version__ = "0.0.9-was-')
    before, cached, cold = cached_then_cold(
        code, tmp_path, lambda: edit(version, '__version__ = "0.0.9-was-', '__version__ = "'))
    assert changed(cached, cold) == []
    assert changed(before, cold) == []


def markdown_release(into: Path) -> Path:
    """The installed Python-Markdown as its next release: another version number, and the
    footnote back-link drawn with another arrow."""
    spec = importlib.util.find_spec("markdown")
    assert spec is not None and spec.origin is not None
    package = copy_of(Path(spec.origin).parent, into)
    meta = package / "__meta__.py"
    version = re.search(r"^__version_info__ = \((\d+), (\d+),", meta.read_text("utf-8"),
                        re.MULTILINE)
    assert version is not None
    major, minor = version.groups()
    edit(meta, version.group(0), f"__version_info__ = ({major}, {int(minor) + 1},")
    edit(package / "extensions" / "footnotes.py", "'&#8617;'", "'&#8593;'")
    return into


def test_a_new_release_of_markdown_renders_bodies_anew(tmp_path: Path) -> None:
    code = sitegen_copy(tmp_path / "code")
    libraries = markdown_release(tmp_path / "libraries")
    assert imported_from(code, "markdown", libraries) == libraries / "markdown"
    before, cached, cold = cached_then_cold(code, tmp_path, lambda: None, (None, libraries))
    page = "en/world/talks/index.html"
    assert b"&#8617;" in before[page] and b"&#8593;" in cold[page]
    assert changed(cached, cold) == []
