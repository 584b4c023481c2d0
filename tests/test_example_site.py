"""The repository is itself an example site: it builds, and every page of it holds together."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest

from conftest import Tags, element, hreflangs, local_file, visible_text

REPO = Path(__file__).parents[1]
FAR_FUTURE = "4102444800"  # 2100-01-01: every dated example article is published


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    out = tmp_path_factory.mktemp("example") / "public"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", FAR_FUTURE)
        from sitegen.cli import main
        assert main(["build", "-s", str(REPO), "-o", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def base(example) -> str:
    return Tags((example / "index.html").read_text("utf-8")).find("link", rel="canonical")[0]["href"]


def pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def article_pages(out: Path) -> dict[Path, dict]:
    found = {}
    for path in pages(out):
        match = re.search(r'<script type="application/ld\+json">(.*?)</script>',
                          path.read_text("utf-8"), re.S)
        if match and json.loads(match.group(1)).get("@type") == "NewsArticle":
            found[path] = json.loads(match.group(1))
    return found


def test_every_non_draft_article_has_a_page(example):
    sources = [p for p in (REPO / "content").rglob("*.md")
               if not re.search(r"^draft:\s*true", p.read_text("utf-8"), re.M)
               and p.parent.name != "pages"]  # the publication's pages are no news articles
    assert len(article_pages(example)) == len(sources) > 0


def test_every_article_page_has_its_headline_as_h1(example):
    for path, data in article_pages(example).items():
        h1s = re.findall(r"<h1[^>]*>(.*?)</h1>", path.read_text("utf-8"), re.S)
        assert [visible_text(h) for h in h1s] == [data["headline"]], path


def test_every_article_page_ends_with_its_sources(example):
    for path, data in article_pages(example).items():
        page = path.read_text("utf-8")
        assert 'class="story__sources"' in page, f"{path}: no source attribution"
        text = visible_text(element(page, "p", "story__sources"))
        label = r"(Sources?|Fuentes?)" if data["inLanguage"] in ("en", "es") else r"\S+"
        assert re.fullmatch(label + r": .+\.", text), (path, text)


def test_hreflang_links_resolve_to_written_pages(example, base):
    for path in article_pages(example):
        links = hreflangs(path.read_text("utf-8"))
        assert "x-default" in links, path
        for lang, url in links.items():
            assert url.startswith(base), url
            assert local_file(example, url, base).is_file(), (path, lang, url)


def test_translated_articles_switch_to_each_other(example, base):
    for path, data in article_pages(example).items():
        for lang, url in hreflangs(path.read_text("utf-8")).items():
            if lang in ("x-default", data["inLanguage"]):
                continue
            other = local_file(example, url, base).read_text("utf-8")
            own = data["url"]
            assert hreflangs(other).get(data["inLanguage"]) == own, (path, url)


def internal_references(page: str) -> list[str]:
    refs = []
    for tag, attrs in Tags(page).tags:
        for name in ("href", "src"):
            value = attrs.get(name)
            if value and not value.startswith("#"):
                refs.append(value)
    for name in ("og:url", "og:image"):
        refs += re.findall(rf'<meta property="{name}" content="([^"]+)"', page)
    return refs


def test_every_internal_link_resolves(example, base):
    base_host = urlsplit(base).netloc
    checked = 0
    for path in pages(example):
        for ref in internal_references(path.read_text("utf-8")):
            parts = urlsplit(ref)
            if parts.scheme in ("mailto", "tel") or (parts.netloc and parts.netloc != base_host):
                continue
            assert parts.path.startswith("/"), (path, ref)
            assert local_file(example, parts.path).is_file(), (path.relative_to(example), ref)
            checked += 1
    assert checked > 100


def test_feeds_and_sitemaps_of_the_example(example, base):
    for lang in ("en", "es"):
        feed = feedparser.parse((example / lang / "feed.xml").read_bytes())
        assert not feed.bozo and feed.entries
        for entry in feed.entries:
            assert local_file(example, entry.link, base).is_file()
            assert entry.id.startswith("urn:uuid:")
    root = ET.parse(example / "sitemap.xml").getroot()
    locs = [u.text for u in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs
    for loc in locs:
        assert local_file(example, loc, base).is_file(), loc
    assert f"Sitemap: {base}sitemap.xml" in (example / "robots.txt").read_text()
    assert (example / "404.html").is_file()
