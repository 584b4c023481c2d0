"""Shared helpers: write a tiny site into tmp_path, run the CLI in-process, read what it wrote."""

from __future__ import annotations

import html
import io
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from sitegen.cli import main

# Subprocesses (the preview server, `python -m sitegen`) run the source tree too.
_SOURCE = str(Path(__file__).resolve().parent.parent)
os.environ["PYTHONPATH"] = os.pathsep.join(
    [_SOURCE, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))])

# The whole suite must cover this much of sitegen; a run of some of its files need not.
COVERAGE_GATE = 90

# 2025-01-01T00:00:00Z: after every fixed date used in the tests, unless a test says otherwise.
EPOCH = "1735689600"

CONFIG = """\
[site]
base_url = "https://example.org"
default_language = "en"
languages = ["en", "es"]
timezone = "America/Havana"
theme = "default"

[languages.en]
title = "The Island Post"
sections = { americas = "Americas", culture = "Culture", economy = "Economy", mundo = "Mundo", news = "News", sports = "Sports", world = "World" }

[languages.es]
title = "El Post de la Isla"
sections = { americas = "Americas", culture = "Culture", economy = "Economy", mundo = "Mundo", news = "News", sports = "Sports", world = "World" }
"""


def photo(width: int = 64, height: int = 40, format: str = "JPEG") -> bytes:
    """A small real image, for sites whose articles show one."""
    from PIL import Image

    out = io.BytesIO()
    Image.linear_gradient("L").resize((width, height)).convert("RGB").save(out, format)
    return out.getvalue()


JPEG = photo()


def article(title: str | None = "A Story", date: str | None = "2015-01-12T14:30:00-05:00",
            body: str = "First paragraph.\n\nSecond paragraph.\n", **fields: str) -> str:
    """An article file's text; each extra field is one raw YAML line (`key: value`)."""
    lines = ["---"]
    if title is not None:
        lines.append(f"title: {title}")
    if date is not None:
        lines.append(f"date: {date}")
    lines += [f"{key}: {value}" for key, value in fields.items()]
    lines.append("---")
    return "\n".join(lines) + "\n" + body


@dataclass
class Result:
    code: int
    out: str
    err: str


@dataclass
class Site:
    root: Path
    runner: Callable[..., Result]

    @property
    def public(self) -> Path:
        return self.root / "public"

    def build(self, *args: str) -> Result:
        return self.runner("build", "-s", str(self.root), *args)

    def read(self, rel: str, out: Path | None = None) -> str:
        return ((out or self.public) / rel).read_text("utf-8")

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, "utf-8")
        return path


def pytest_configure(config: pytest.Config) -> None:
    """Apply the coverage gate to full runs only: none that names a file, folder or test."""
    coverage = config.pluginmanager.get_plugin("_cov")
    named = [arg for arg in config.invocation_params.args if not str(arg).startswith("-")]
    if coverage is not None and not named and coverage.options.cov_fail_under is None:
        coverage.options.cov_fail_under = COVERAGE_GATE


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run `sitegen ARGS...` in-process; returns (exit code, stdout, stderr)."""

    def runner(*args: str) -> Result:
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse errors
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return runner


@pytest.fixture
def make_site(tmp_path: Path, run: Callable[..., Result]) -> Callable[..., Site]:
    """make_site({relative path: text}, config=CONFIG) -> Site in tmp_path/site."""

    def factory(files: dict[str, str | bytes], config: str | None = CONFIG, name: str = "site") -> Site:
        site = Site(tmp_path / name, run)
        site.root.mkdir(parents=True, exist_ok=True)
        if config is not None:
            site.write("sitegen.toml", config)
        (site.root / "content").mkdir(exist_ok=True)
        for rel, text in files.items():
            site.write(rel, text)
        return site

    return factory


def config_with(**site_keys: str) -> str:
    """CONFIG with extra raw `key = value` lines added to [site]."""
    extra = "".join(f"{k} = {v}\n" for k, v in site_keys.items())
    return CONFIG.replace('theme = "default"\n', 'theme = "default"\n' + extra)


def line_of(text: str, needle: str) -> int:
    """1-based number of the first line of `text` containing `needle`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under folder: relative path -> bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class Tags(HTMLParser):
    """Every start tag as (name, attrs) and the page's visible text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self._skip = 0
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.texts.append(data)

    def find(self, name: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags
                if t == name and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())]

    @property
    def text(self) -> str:
        return " ".join("".join(self.texts).split())


def visible_text(fragment: str) -> str:
    """Tags stripped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def element(page: str, tag: str, cls: str) -> str:
    """The inner HTML of the first `<tag class="cls ...">` (no nesting of the same tag)."""
    match = re.search(rf'<{tag}[^>]*class="[^"]*\b{re.escape(cls)}\b[^"]*"[^>]*>(.*?)</{tag}>',
                      page, re.DOTALL)
    assert match, f"no <{tag} class={cls!r}> in page"
    return match.group(1)


def hreflangs(page: str) -> dict[str, str]:
    """hreflang -> href of the page's `<link rel="alternate" hreflang>` tags."""
    return {a["hreflang"]: a["href"] for a in Tags(page).find("link", rel="alternate")
            if a.get("hreflang")}


def meta(page: str, name: str) -> list[str]:
    """The content of every `<meta property=name>` or `<meta name=name>`."""
    return [a["content"] for t, a in Tags(page).tags if t == "meta"
            and (a.get("property") == name or a.get("name") == name)]


def local_file(out: Path, href: str, base: str = "/") -> Path:
    """The output file a site-relative href (or absolute URL stripped to its path) is served from."""
    path = href.split("#")[0].split("?")[0]
    assert path.startswith(base), href
    rel = path[len(base):]
    rel = unquote(rel)
    return out / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)


@pytest.fixture
def git(monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """git(site or folder, *args) -> its output, as a desk member: each commit an hour after
    the last (the first at 2023-11-14 22:13 UTC), so the history has a clear order."""
    for name, value in (("GIT_AUTHOR_NAME", "Desk"), ("GIT_AUTHOR_EMAIL", "desk@example.org"),
                        ("GIT_COMMITTER_NAME", "Desk"),
                        ("GIT_COMMITTER_EMAIL", "desk@example.org")):
        monkeypatch.setenv(name, value)
    clock = iter(range(1_700_000_000, 1_800_000_000, 3600))

    def run(site: Site | Path, *args: str) -> str:
        when = f"@{next(clock) if args[0] == 'commit' else 1_600_000_000} +0000"
        done = subprocess.run(["git", *args], cwd=site.root if isinstance(site, Site) else site,
                              check=True, capture_output=True, text=True,
                              env={**os.environ, "GIT_AUTHOR_DATE": when,
                                   "GIT_COMMITTER_DATE": when})
        return done.stdout

    return run


def commit(git: Callable[..., str], site: Site | Path, message: str) -> None:
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", message)
