"""What machines read (sitemaps, robots.txt, hreflang, HTTP headers), what the build says while
it works, and what the README promises."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import CONFIG, Tags, article, hreflangs

REPO = Path(__file__).resolve().parents[1]
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
JAN_13_NOON = "1421150400"  # 2015-01-13T12:00:00Z: the day after the recent story
BASE = "https://example.org/"


def stories(make_site):
    return make_site({
        "content/news/old.en.md": article("Old News", date="2015-01-01T09:00:00"),
        "content/news/old.es.md": article("Noticia vieja", date="2015-01-01T09:00:00"),
        "content/news/new.en.md": article("New News", date="2015-01-12T14:30:00"),
    })


def build_at(site, monkeypatch, epoch, *args):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    result = site.build(*args)
    assert result.code == 0, result.err
    return result


def sitemap_lines(site) -> list[str]:
    return [line for line in site.read("robots.txt").splitlines() if line.startswith("Sitemap:")]


# --- the news sitemap exists only when it has news -------------------------------------------

def test_no_news_sitemap_when_nothing_is_recent(make_site, monkeypatch):
    """A news sitemap's urlset needs at least one url: none is written and none is advertised."""
    site = stories(make_site)
    build_at(site, monkeypatch, "1735689600")  # ten years after the newest story
    assert not (site.public / "news-sitemap.xml").exists()
    assert sitemap_lines(site) == [f"Sitemap: {BASE}sitemap.xml"]
    manifest = site.read(".sitegen-files").splitlines()
    assert "news-sitemap.xml" not in manifest and "robots.txt" in manifest


def test_news_sitemap_written_and_advertised_when_recent(make_site, monkeypatch):
    site = stories(make_site)
    build_at(site, monkeypatch, JAN_13_NOON)
    news = ET.parse(site.public / "news-sitemap.xml").getroot()
    assert [u.findtext(f"{SM}loc") for u in news.findall(f"{SM}url")] == \
        [f"{BASE}en/news/new-news/"]
    assert sitemap_lines(site) == [f"Sitemap: {BASE}sitemap.xml",
                                   f"Sitemap: {BASE}news-sitemap.xml"]


@pytest.mark.parametrize("cache", [(), ("--no-cache",)])
def test_news_sitemap_goes_away_when_its_news_gets_old(make_site, monkeypatch, cache):
    site = stories(make_site)
    build_at(site, monkeypatch, JAN_13_NOON, *cache)
    assert (site.public / "news-sitemap.xml").is_file()
    result = build_at(site, monkeypatch, "1421366400", *cache)  # 2015-01-16: over two days
    assert not (site.public / "news-sitemap.xml").exists()
    assert "news-sitemap" not in site.read("robots.txt")
    assert "news-sitemap.xml" not in site.read(".sitegen-files").splitlines()
    assert "1 removed" in result.out
    build_at(site, monkeypatch, JAN_13_NOON, *cache)  # and back, if the clock says so
    assert (site.public / "news-sitemap.xml").is_file()
    assert "news-sitemap" in site.read("robots.txt")


def test_check_knows_there_is_no_news_sitemap(make_site, run, monkeypatch):
    """A story linking to the news sitemap links to a file the build does not write."""
    site = make_site({"content/news/a.en.md": article(
        "A", body="See [the news](/news-sitemap.xml) and [the map](/sitemap.xml).\n")})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    result = run("check", "-s", site.root)
    broken = [line for line in result.out.splitlines() if "broken link" in line]
    assert len(broken) == 1 and "/news-sitemap.xml" in broken[0], result.out
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1421150400")  # the story is two hours old here
    site.write("content/news/a.en.md", article(
        "A", date="2015-01-13T05:00:00", body="See [the news](/news-sitemap.xml).\n"))
    assert "broken link" not in run("check", "-s", site.root).out


# --- the root page is the x-default of the front pages ----------------------------------------

ROOT_SET = {"en": f"{BASE}en/", "es": f"{BASE}es/", "x-default": BASE}


def test_root_page_hreflang_includes_itself_as_x_default(make_site):
    site = stories(make_site)
    assert site.build().code == 0
    root = site.read("index.html")
    assert Tags(root).find("link", rel="canonical")[0]["href"] == BASE
    assert hreflangs(root) == ROOT_SET


def test_front_pages_name_the_root_as_x_default(make_site):
    """hreflang must be reciprocal: each front page lists the same set as the root."""
    site = stories(make_site)
    assert site.build().code == 0
    for lang in ("en", "es"):
        assert hreflangs(site.read(f"{lang}/index.html")) == ROOT_SET, lang


def test_sitemap_alternates_of_the_front_pages_agree_with_the_pages(make_site):
    site = stories(make_site)
    assert site.build().code == 0
    entries = {u.findtext(f"{SM}loc"): u
               for u in ET.parse(site.public / "sitemap.xml").getroot().findall(f"{SM}url")}
    for loc in (f"{BASE}en/", f"{BASE}es/"):
        links = {link.get("hreflang"): link.get("href")
                 for link in entries[loc].findall(f"{XHTML}link")}
        assert links == ROOT_SET, loc
    # The root itself redirects (meta refresh; a 302 by language on Netlify): no entry of its own.
    assert BASE not in entries
    # Every other entry's x-default is one of its own language versions, never the root.
    for loc, entry in entries.items():
        links = {link.get("hreflang"): link.get("href") for link in entry.findall(f"{XHTML}link")}
        if links and loc not in (f"{BASE}en/", f"{BASE}es/"):
            assert links["x-default"] in {v for k, v in links.items() if k != "x-default"}, loc


def test_language_switch_does_not_offer_the_root(make_site):
    site = stories(make_site)
    assert site.build().code == 0
    switch = [(a["hreflang"], a["href"])
              for a in Tags(site.read("en/index.html")).find("a", rel="alternate")]
    assert switch == [("es", "/es/")]


def test_single_language_root_and_front_page_agree(make_site):
    config = CONFIG.replace('languages = ["en", "es"]', 'languages = ["en"]').split(
        "[languages.es]")[0]
    site = make_site({"content/news/a.en.md": article("A")}, config=config)
    result = site.build()
    assert result.code == 0, result.err
    expected = {"en": f"{BASE}en/", "x-default": BASE}
    assert hreflangs(site.read("index.html")) == expected
    assert hreflangs(site.read("en/index.html")) == expected


# --- netlify.toml -----------------------------------------------------------------------------

def netlify_rule_matches(pattern: str, path: str) -> bool:
    """Netlify's reading of a [[headers]] `for` path (as its headers parser makes the regexp):
    `:name` is one segment, a lone `*` anything (the segment optional), `*` within a segment
    anything; the match ignores case and a trailing slash."""
    parts = []
    for part in filter(None, (p.rstrip() for p in pattern.split("/"))):
        if part.startswith(":"):
            parts.append("([^/]+)")
        elif part == "*":
            parts.append("?(.*)")
        else:
            parts.append(".*".join(re.escape(piece) for piece in part.split("*")))
    return re.fullmatch(f"/{'/'.join(parts)}/?", path, re.IGNORECASE) is not None


def test_netlify_rule_reading():
    assert netlify_rule_matches("/*", "/en/feed.xml") and netlify_rule_matches("/*", "/")
    assert netlify_rule_matches("/:lang/feed.xml", "/es/feed.xml")
    assert not netlify_rule_matches("/:lang/feed.xml", "/en/news/feed.xml")
    assert not netlify_rule_matches("/assets/*", "/en/feed.xml")


def headers_for(rules: list[dict], path: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for rule in rules:
        if netlify_rule_matches(rule["for"], path):
            found.update(rule["values"])
    return found


def test_netlify_serves_every_feed_as_atom(make_site, tmp_path):
    config = CONFIG.replace('languages = ["en", "es"]', 'languages = ["en", "es", "fr"]') + \
        '\n[languages.fr]\ntitle = "La Poste"\n'
    site = make_site({"content/news/a.en.md": article("A")}, config=config)
    result = site.build()
    assert result.code == 0, result.err
    rules = tomllib.loads((REPO / "netlify.toml").read_text("utf-8"))["headers"]
    feeds = sorted("/" + p.relative_to(site.public).as_posix()
                   for p in site.public.rglob("*.xml") if p.name == "feed.xml")
    assert feeds == ["/en/feed.xml", "/es/feed.xml", "/fr/feed.xml"]
    for feed in feeds:
        assert headers_for(rules, feed).get("Content-Type") == \
            "application/atom+xml; charset=utf-8", feed
    others = ["/sitemap.xml", "/robots.txt", "/index.html", "/en/", "/en/news/a/"]
    for path in others:
        assert "Content-Type" not in headers_for(rules, path), path


def test_netlify_permissions_policy_has_no_obsolete_features():
    rules = tomllib.loads((REPO / "netlify.toml").read_text("utf-8"))["headers"]
    policy = headers_for(rules, "/en/")["Permissions-Policy"]
    features = {item.strip().split("=")[0] for item in policy.split(",")}
    assert "interest-cohort" not in features
    assert {"camera", "microphone", "geolocation"} <= features


# --- what the build prints ------------------------------------------------------------------

SUMMARY = re.compile(r"sitegen: built (\d+) articles?, (\d+) files? into .+ \(\d+ written, "
                     r"\d+ unchanged, \d+ removed\) in \d+\.\d\ds\n")


def test_build_summary_counts_in_singular(make_site):
    site = make_site({"content/news/a.en.md": article("A")})
    result = site.build()
    assert result.code == 0, result.err
    assert "built 1 article," in result.out and "1 articles" not in result.out


def test_build_summary_counts_in_plural(make_site):
    site = stories(make_site)
    result = site.build()
    assert "built 3 articles," in result.out


def test_build_prints_only_the_summary_when_not_on_a_terminal(make_site):
    site = stories(make_site)
    result = site.build()
    assert result.code == 0 and result.err == ""
    assert SUMMARY.fullmatch(result.out), result.out


@pytest.mark.parametrize("flag", ["--quiet", "-q"])
def test_quiet_build_prints_nothing(make_site, flag):
    site = stories(make_site)
    result = site.build(flag)
    assert (result.code, result.out, result.err) == (0, "", "")
    assert (site.public / "en/news/new-news/index.html").is_file()


def test_quiet_build_still_reports_errors(make_site):
    site = make_site({"content/news/a.en.md": "---\ntitle: [\n---\n"})
    result = site.build("-q")
    assert result.code == 1 and result.out == ""
    assert "content/news/a.en.md:3: error:" in result.err
    assert "nothing was written" in result.err


def on_terminal(*args: str, cwd: Path) -> tuple[int, str]:
    """Run `python -m sitegen ARGS` with stdout and stderr on a pseudo-terminal; (code, output)."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "SOURCE_DATE_EPOCH": JAN_13_NOON}
    process = subprocess.Popen([sys.executable, "-m", "sitegen", *args], cwd=cwd, env=env,
                               stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal)
    os.close(terminal)
    output = b""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 1)
            if ready:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:  # the terminal closed: the process has ended
                    break
                if not chunk:
                    break
                output += chunk
            elif process.poll() is not None:
                break
        code = process.wait(timeout=30)
    finally:
        os.close(controller)
        if process.poll() is None:
            process.kill()
    return code, output.decode("utf-8").replace("\r\n", "\n")


@pytest.fixture
def many(make_site):
    files = {f"content/news/s{n:03}.en.md": article(f"Story {n}", date="2015-01-10T09:00:00")
             for n in range(120)}
    return make_site(files)


def test_build_shows_its_progress_on_a_terminal(many):
    code, output = on_terminal("build", "-s", str(many.root), "-j", "1", cwd=many.root)
    assert code == 0, output
    lines = output.split("\r")
    for stage in ("sitegen: reading the site...", "sitegen: parsing 120 articles...",
                  "sitegen: rendering ", "sitegen: writing "):
        assert any(line.startswith(stage) for line in lines), (stage, output)
    assert "\n" not in output.rstrip("\n"), "progress lines are rewritten in place"
    # The progress is overwritten in place and cleared, then the summary stays on its own line.
    summary = output.rsplit("\r", 1)[-1]
    assert SUMMARY.fullmatch(summary.lstrip()), repr(output)
    assert "built 120 articles" in summary


def test_quiet_build_on_a_terminal_prints_nothing(many):
    code, output = on_terminal("build", "-s", str(many.root), "--quiet", cwd=many.root)
    assert (code, output) == (0, "")


def test_failing_build_on_a_terminal_clears_the_progress_before_the_errors(make_site):
    site = make_site({"content/news/a.en.md": "---\ntitle: [\n---\n",
                      "content/news/b.en.md": article("B")})
    code, output = on_terminal("build", "-s", str(site.root), cwd=site.root)
    assert code == 1
    errors = [line.split("\r")[-1] for line in output.splitlines() if "error" in line]
    assert errors and errors[0].startswith("content/news/a.en.md:3: error:"), repr(output)


# --- messages of check and status ---------------------------------------------------------

def test_status_counts_one_problem_in_singular(make_site, run):
    site = make_site({"content/news/a.en.md": article("A"),
                      "content/news/broken.en.md": "---\ntitle: [\n---\n"})
    result = run("status", "-s", site.root)
    assert result.out.splitlines()[-1] == \
        "1 problem kept some files out of this table; `sitegen check` lists them"
    site.write("content/news/broken2.en.md", "---\ntitle: [\n---\n")
    result = run("status", "-s", site.root)
    assert result.out.splitlines()[-1] == \
        "2 problems kept some files out of this table; `sitegen check` lists them"


def test_check_counts_in_singular_and_plural(make_site, run):
    site = make_site({"content/news/a.en.md": "---\ntitle: [\n---\n",
                      "content/news/b.en.md": "---\ntitle: [\n---\n",
                      "content/news/c.en.md": article("C")})
    result = run("check", "-s", site.root)
    assert result.out.splitlines()[-1].startswith("sitegen check: 2 errors, ")
    assert re.search(r"\b1 (error|warning|note)s\b", result.out) is None


# --- the README -----------------------------------------------------------------------------

README = (REPO / "README.md").read_text("utf-8")


def test_readme_quick_start_commands_stay_exactly():
    assert ("pip install . && sitegen build          # builds the bundled example site into "
            "public/\n"
            "pip install '.[test]' && pytest         # runs the whole test suite\n") in README


def test_readme_quick_start_uses_a_virtual_environment_first():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    venv = quick.find("python3 -m venv .venv && . .venv/bin/activate")
    assert 0 <= venv < quick.find("pip install . && sitegen build")


def test_readme_does_not_send_readers_to_open_the_file():
    assert "Open `public/index.html`" not in README
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "sitegen serve" in quick


def test_readme_contributing_notes():
    assert "## Contributing" in README
    notes = README.split("## Contributing", 1)[1].split("\n## ", 1)[0]
    for needed in ("pythonpath", "pytest tests/", "90%", "python -m sitegen"):
        assert needed in notes, needed


def test_readme_names_the_json_fields_check_emits(make_site, run):
    import json

    site = make_site({"content/news/a.en.md": "---\ntitle: [\n---\n"})
    fields = set(json.loads(run("check", "-s", site.root, "--format", "json").out)[0])
    assert fields == {"path", "line", "severity", "message"}
    section = README.split("### What needs translating", 1)[1].split("\n### ", 1)[0]
    assert "`path:line: severity: message`" in section
    assert "level" not in section
    for name in fields:
        assert f"`{name}`" in section, name


# --- Atom: every entry has an author ---------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"


def test_feed_names_an_author_for_entries_without_one(make_site):
    """RFC 4287 §4.1.1: a feed without an author of its own needs one in every entry; stories
    without a byline are the publication's."""
    site = make_site({"content/news/a.en.md": article("Bylined", author="Ana"),
                      "content/news/b.en.md": article("Unsigned"),
                      "content/news/c.es.md": article("Sin firma")})
    assert site.build().code == 0
    for lang, publication in (("en", "The Island Post"), ("es", "El Post de la Isla")):
        feed = ET.parse(site.public / f"{lang}/feed.xml").getroot()
        assert [a.findtext(f"{ATOM}name") for a in feed.findall(f"{ATOM}author")] == \
            [publication]
        assert feed.findall(f"{ATOM}entry")
    bylined = ET.parse(site.public / "en/feed.xml").getroot().findall(f"{ATOM}entry")
    names = {e.findtext(f"{ATOM}title"): [a.findtext(f"{ATOM}name")
                                          for a in e.findall(f"{ATOM}author")] for e in bylined}
    assert names == {"Bylined": ["Ana"], "Unsigned": []}


def test_new_site_story_does_not_send_editors_to_open_the_file(tmp_path, run):
    """The output's links start at `/`: opened as a file, public/index.html shows no site."""
    assert run("init", tmp_path / "newsroom").code == 0
    for story in sorted((tmp_path / "newsroom/content").rglob("*.md")):
        text = story.read_text("utf-8")
        assert "public/index.html" not in text, story
        assert "sitegen serve" in text, story
