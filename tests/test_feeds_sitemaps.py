"""Atom feeds, sitemap.xml with hreflang alternates, the news sitemap and robots.txt."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import feedparser
import pytest

from conftest import article, config_with

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
JAN_13_NOON = "1421150400"  # 2015-01-13T12:00:00Z


@pytest.fixture
def site(make_site):
    site = make_site({
        "content/news/old.en.md": article("Old News", date="2015-01-01T09:00:00",
                                          tags="[cuba]", author="Ana"),
        "content/news/old.es.md": article("Noticia vieja", date="2015-01-01T09:00:00"),
        "content/news/new.en.md": article("New News", date="2015-01-12T14:30:00"),
        "content/news/new.es.md": article("Noticia nueva", date="2015-01-12T14:30:00"),
        "content/news/solo.en.md": article("Only English", date="2015-01-05T08:00:00"),
    })
    return site


def build(site, monkeypatch, epoch=JAN_13_NOON, *args):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    result = site.build(*args)
    assert result.code == 0, result.err
    return site


def parse_feed(site, lang):
    return feedparser.parse((site.public / f"{lang}/feed.xml").read_bytes())


def test_feeds_parse_cleanly_with_entries(site, monkeypatch):
    build(site, monkeypatch)
    for lang, titles in (("en", ["New News", "Only English", "Old News"]),
                         ("es", ["Noticia nueva", "Noticia vieja"])):
        feed = parse_feed(site, lang)
        assert not feed.bozo, feed.get("bozo_exception")
        assert feed.feed.language == lang
        assert [e.title for e in feed.entries] == titles
        for entry in feed.entries:
            # the link a feed reader follows is the entry's own page, not its translation
            assert (site.public / entry.link.removeprefix("https://example.org/")
                    / "index.html").is_file()
            assert f"/{lang}/" in entry.link
            assert entry.id.startswith("urn:uuid:")
        assert len({e.id for e in feed.entries}) == len(feed.entries)


def test_feed_entry_fields(site, monkeypatch):
    build(site, monkeypatch)
    old = parse_feed(site, "en").entries[-1]
    assert old.id.startswith("urn:uuid:")
    own = [l.href for l in old.links if l.rel == "alternate" and not l.get("hreflang")]
    assert own == ["https://example.org/en/news/old-news/"]
    assert old.published == "2015-01-01T09:00:00-05:00"
    assert [a.name for a in old.authors] == ["Ana"]
    assert [t.term for t in old.tags] == ["cuba"]
    assert old.summary == "First paragraph."
    assert "Second paragraph." in old.content[0].value
    alternates = {l.get("hreflang"): l.href for l in old.links if l.get("hreflang")}
    assert alternates == {"es": "https://example.org/es/news/noticia-vieja/"}


def test_feed_updated_is_newest_entrys(site, monkeypatch):
    build(site, monkeypatch)
    feed = parse_feed(site, "en")
    assert feed.feed.updated == "2015-01-12T14:30:00-05:00"
    assert feed.feed.updated_parsed == max(e.updated_parsed for e in feed.entries)


def test_feed_updated_follows_an_article_update(make_site, monkeypatch):
    site = make_site({"content/news/a.en.md": article("A", date="2015-01-01T09:00:00",
                                                      updated="2015-01-20T10:00:00"),
                      "content/news/b.en.md": article("B", date="2015-01-10T09:00:00")})
    build(site, monkeypatch, "1735689600")
    feed = parse_feed(site, "en")
    assert feed.feed.updated == "2015-01-20T10:00:00-05:00"
    assert {e.title: e.updated for e in feed.entries}["A"] == "2015-01-20T10:00:00-05:00"


def test_feed_has_no_build_timestamp(site, monkeypatch):
    build(site, monkeypatch, JAN_13_NOON)
    first = {lang: (site.public / f"{lang}/feed.xml").read_bytes() for lang in ("en", "es")}
    build(site, monkeypatch, "1735689600")  # ten years later: nothing new published
    for lang in ("en", "es"):
        assert (site.public / f"{lang}/feed.xml").read_bytes() == first[lang]


def test_feed_size_limits_entries(make_site, monkeypatch):
    files = {f"content/news/s{n}.en.md": article(f"S{n}", date=f"2015-01-0{n}") for n in range(1, 6)}
    site = make_site(files, config=config_with(feed_size="3"))
    build(site, monkeypatch)
    assert [e.title for e in parse_feed(site, "en").entries] == ["S5", "S4", "S3"]


def sitemap_urls(site):
    root = ET.parse(site.public / "sitemap.xml").getroot()
    return {u.findtext(f"{SM}loc"): u for u in root.findall(f"{SM}url")}


def test_sitemap_lists_every_article_with_alternates(site, monkeypatch):
    build(site, monkeypatch)
    urls = sitemap_urls(site)
    en = "https://example.org/en/news/new-news/"
    es = "https://example.org/es/news/noticia-nueva/"
    for loc in (en, es):
        links = {l.get("hreflang"): l.get("href") for l in urls[loc].findall(f"{XHTML}link")}
        assert links == {"en": en, "es": es, "x-default": en}
        assert urls[loc].findtext(f"{SM}lastmod") == "2015-01-12T14:30:00-05:00"
    for slug in ("en/news/old-news/", "es/news/noticia-vieja/", "en/news/only-english/"):
        assert f"https://example.org/{slug}" in urls
    assert "https://example.org/en/" in urls and "https://example.org/es/" in urls


def test_sitemap_locations_exist(site, monkeypatch):
    build(site, monkeypatch)
    for loc in sitemap_urls(site):
        rel = loc.removeprefix("https://example.org/")
        assert (site.public / (rel + "index.html" if rel.endswith("/") or not rel else rel)
                ).is_file(), loc


def test_sitemap_excludes_drafts_and_future(make_site, monkeypatch):
    site = make_site({"content/news/d.en.md": article("Draft", draft="true"),
                      "content/news/f.en.md": article("Future", date="2030-01-01"),
                      "content/news/p.en.md": article("Published")})
    build(site, monkeypatch, "1735689600")
    urls = sitemap_urls(site)
    assert "https://example.org/en/news/published/" in urls
    assert not any("draft" in u or "future" in u for u in urls)


def test_news_sitemap_lists_only_last_two_days(site, monkeypatch):
    build(site, monkeypatch)
    root = ET.parse(site.public / "news-sitemap.xml").getroot()
    entries = {u.findtext(f"{SM}loc"): u for u in root.findall(f"{SM}url")}
    assert set(entries) == {"https://example.org/en/news/new-news/",
                            "https://example.org/es/news/noticia-nueva/"}
    en = entries["https://example.org/en/news/new-news/"].find(f"{NEWS}news")
    assert en.findtext(f"{NEWS}publication/{NEWS}name") == "The Island Post"
    assert en.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert en.findtext(f"{NEWS}publication_date") == "2015-01-12T14:30:00-05:00"
    assert en.findtext(f"{NEWS}title") == "New News"
    es = entries["https://example.org/es/news/noticia-nueva/"].find(f"{NEWS}news")
    assert es.findtext(f"{NEWS}publication/{NEWS}name") == "El Post de la Isla"
    assert es.findtext(f"{NEWS}publication/{NEWS}language") == "es"


def test_no_news_sitemap_when_nothing_is_recent(site, monkeypatch):
    """A news sitemap must list at least one article: without any, there is none."""
    build(site, monkeypatch, "1735689600")
    assert not (site.public / "news-sitemap.xml").exists()


def test_robots_txt_names_the_sitemap(site, monkeypatch):
    build(site, monkeypatch)
    robots = (site.public / "robots.txt").read_text()
    lines = robots.splitlines()
    assert "Sitemap: https://example.org/sitemap.xml" in lines
    assert "User-agent: *" in lines
