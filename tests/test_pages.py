"""What readers and crawlers get: article pages, listings, root and 404, theme and languages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import (CONFIG, JPEG, Tags, article, config_with, element, hreflangs, local_file, meta,
                      visible_text)

EN = "content/americas/cuba.en.md"
ES = "content/americas/cuba.es.md"
EN_PAGE = "en/americas/cuba-frees-prisoners/index.html"
ES_PAGE = "es/americas/cuba-libera-presos/index.html"


@pytest.fixture
def pair(make_site):
    site = make_site({
        EN: article("Cuba Frees Prisoners", date="2015-01-12T14:30:00-05:00",
                    authors="[Staff]", tags="[cuba, human rights]",
                    sources="\n  - Reuters\n  - name: EFE\n    url: https://www.efe.com/"),
        ES: article("Cuba libera presos", date="2015-01-12T14:30:00-05:00",
                    authors="[Staff]", tags="[cuba, derechos humanos]",
                    sources="\n  - Reuters\n  - name: EFE\n    url: https://www.efe.com/"),
        "content/americas/ap.en.md": article("Wire Story", sources="[AP]"),
        "content/americas/ap.es.md": article("Nota de agencia", sources="[AP]"),
    })
    result = site.build()
    assert result.code == 0, result.err
    return site


def html_files(out: Path, lang: str) -> list[Path]:
    return sorted((out / lang).rglob("*.html"))


# --- article pages -------------------------------------------------------------------------

def test_article_html_lang_and_canonical(pair):
    en, es = pair.read(EN_PAGE), pair.read(ES_PAGE)
    assert '<html lang="en">' in en and '<html lang="es">' in es
    assert Tags(en).find("link", rel="canonical")[0]["href"] == \
        "https://example.org/en/americas/cuba-frees-prisoners/"
    assert Tags(es).find("link", rel="canonical")[0]["href"] == \
        "https://example.org/es/americas/cuba-libera-presos/"


def test_article_headline_is_the_h1(pair):
    h1s = re.findall(r"<h1[^>]*>(.*?)</h1>", pair.read(EN_PAGE), re.S)
    assert h1s == ["Cuba Frees Prisoners"]


def test_hreflang_alternates_are_absolute_and_exist(pair):
    links = hreflangs(pair.read(EN_PAGE))
    assert set(links) == {"en", "es", "x-default"}
    for url in links.values():
        assert url.startswith("https://example.org/")
        assert local_file(pair.public, url, "https://example.org/").is_file()


def test_dates_in_each_locale(pair):
    assert '<time datetime="2015-01-12T14:30:00-05:00">January 12, 2015, 2:30\u202fPM Cuba ' \
        'Standard Time</time>' in pair.read(EN_PAGE)
    assert '<time datetime="2015-01-12T14:30:00-05:00">12 de enero de 2015, 14:30 (hora ' \
        'estándar de Cuba)</time>' in pair.read(ES_PAGE)


def test_sources_attribution_in_page_language(pair):
    assert visible_text(element(pair.read(EN_PAGE), "p", "story__sources")) == \
        "Sources: Reuters, EFE."
    assert visible_text(element(pair.read(ES_PAGE), "p", "story__sources")) == \
        "Fuentes: Reuters, EFE."


def test_single_source_attribution(pair):
    assert visible_text(element(pair.read("en/americas/wire-story/index.html"), "p",
                                "story__sources")) == "Source: AP."
    assert visible_text(element(pair.read("es/americas/nota-de-agencia/index.html"), "p",
                                "story__sources")) == "Fuente: AP."


def test_source_url_is_linked(pair):
    sources = element(pair.read(EN_PAGE), "p", "story__sources")
    assert '<a href="https://www.efe.com/">EFE</a>' in sources
    assert "Reuters</a>" not in sources


def test_sources_end_the_article(pair):
    page = pair.read(EN_PAGE)
    assert page.index("story__sources") > page.index("story__body")


def test_tag_links_lead_to_existing_tag_pages(pair):
    for page_path, expected in ((EN_PAGE, {"cuba", "human rights"}),
                                (ES_PAGE, {"cuba", "derechos humanos"})):
        tags = re.findall(r'<a href="([^"]+)" rel="tag">([^<]+)</a>', pair.read(page_path))
        assert {name for _, name in tags} == expected
        for href, name in tags:
            target = local_file(pair.public, href)
            assert target.is_file(), href
            assert f'<h1 class="listing__title">{name}</h1>' in target.read_text("utf-8")
    assert (pair.public / "es/temas/derechos-humanos/index.html").is_file()


def test_json_ld_news_article(pair):
    page = pair.read(EN_PAGE)
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Cuba Frees Prisoners"
    assert data["datePublished"] == "2015-01-12T14:30:00-05:00"
    assert data["inLanguage"] == "en"
    es = json.loads(re.search(r'ld\+json">(.*?)</script>', pair.read(ES_PAGE), re.S).group(1))
    assert es["inLanguage"] == "es" and es["headline"] == "Cuba libera presos"


def test_open_graph_and_twitter_tags(pair):
    en, es = pair.read(EN_PAGE), pair.read(ES_PAGE)
    assert meta(en, "og:locale") == ["en_US"]
    assert meta(en, "og:locale:alternate") == ["es_ES"]
    assert meta(es, "og:locale") == ["es_ES"]
    assert meta(es, "og:locale:alternate") == ["en_US"]
    assert meta(en, "og:title") == ["Cuba Frees Prisoners"]
    assert meta(en, "og:url") == ["https://example.org/en/americas/cuba-frees-prisoners/"]
    assert meta(en, "twitter:card") == ["summary"]
    assert meta(en, "twitter:title") == ["Cuba Frees Prisoners"]


def test_single_version_has_no_og_locale_alternate(make_site):
    site = make_site({"content/news/a.en.md": article("Alone")})
    assert site.build().code == 0
    assert meta(site.read("en/news/alone/index.html"), "og:locale:alternate") == []


def test_footnote_back_link_title_is_translated(make_site):
    body = "Text with a note.[^1]\n\n[^1]: The note.\n"
    site = make_site({"content/news/a.es.md": article("Nota", body=body),
                      "content/news/a.en.md": article("Note", body=body)})
    assert site.build().code == 0
    assert 'title="Volver a la nota 1 en el texto"' in site.read("es/news/nota/index.html")
    assert 'title="Jump back to footnote 1 in the text"' in site.read("en/news/note/index.html")


# --- escaping ------------------------------------------------------------------------------

EVIL = "AT&T <script>alert(1)</script>"


def test_title_is_escaped_everywhere(make_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1421150400")  # 2015-01-13T12:00:00Z: news window
    site = make_site({
        "content/news/evil.en.md": article(f'"{EVIL}"', tags=f'["{EVIL}"]',
                                           authors=f'["{EVIL}"]', sources=f'["{EVIL}"]',
                                           summary=f'"{EVIL}"'),
        "content/news/evil.es.md": article(f'"{EVIL}"'),
    })
    assert site.build().code == 0
    for path in sorted(site.public.rglob("*")):
        if path.is_file():
            assert b"<script>alert" not in path.read_bytes(), path
    page = site.read("en/news/at-t-script-alert-1-script/index.html")
    assert "AT&amp;T &lt;script&gt;alert(1)&lt;/script&gt;" in page
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", page).group(1)
    assert visible_text(h1) == EVIL
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["headline"] == EVIL
    assert meta(page, "og:title") == [EVIL]
    import xml.etree.ElementTree as ET
    feed = ET.parse(site.public / "en/feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.find("a:entry/a:title", ns).text == EVIL
    news = ET.parse(site.public / "news-sitemap.xml").getroot()
    titles = [t.text for t in news.iter("{http://www.google.com/schemas/sitemap-news/0.9}title")]
    assert EVIL in titles
    ET.parse(site.public / "sitemap.xml")  # well-formed


def test_markdown_body_html_is_kept(make_site):
    site = make_site({"content/news/a.en.md": article("Body", body="Some *emphasis*.\n")})
    assert site.build().code == 0
    assert "<p>Some <em>emphasis</em>.</p>" in site.read("en/news/body/index.html")


# --- listings ------------------------------------------------------------------------------

@pytest.fixture
def five(make_site):
    files = {}
    for n in range(1, 6):
        files[f"content/news/s{n}.en.md"] = article(f"Story {n}", date=f"2015-01-0{n}T10:00:00",
                                                     tags="[cuba]", author="Ana")
        files[f"content/news/s{n}.es.md"] = article(f"Nota {n}", date=f"2015-01-0{n}T10:00:00",
                                                     tags="[cuba]", author="Ana")
    site = make_site(files, config=config_with(per_page="2"))
    assert site.build().code == 0
    return site


def headlines(page: str) -> list[str]:
    return [visible_text(h) for h in re.findall(r'<h2 class="teaser__headline">(.*?)</h2>', page)]


def test_front_page_pagination(five):
    assert headlines(five.read("en/index.html")) == ["Story 5", "Story 4"]
    assert headlines(five.read("en/page/2/index.html")) == ["Story 3", "Story 2"]
    assert headlines(five.read("en/page/3/index.html")) == ["Story 1"]
    assert not (five.public / "en/page/4").exists()
    assert not (five.public / "en/page/1").exists()


def test_pagination_newer_older_links(five):
    def nav(path):
        page = five.read(path)
        return ({visible_text(m[1]): m[0] for m in
                 re.findall(r'<a class="pagination__\w+" href="([^"]+)" rel="\w+">([^<]+)</a>',
                            page)})
    assert nav("en/index.html") == {"Older": "/en/page/2/"}
    assert nav("en/page/2/index.html") == {"Newer": "/en/", "Older": "/en/page/3/"}
    assert nav("en/page/3/index.html") == {"Newer": "/en/page/2/"}
    assert nav("es/page/2/index.html") == {"Más recientes": "/es/", "Anteriores": "/es/page/3/"}


def test_section_tag_and_author_pages_paginate(five):
    assert headlines(five.read("en/news/index.html")) == ["Story 5", "Story 4"]
    assert headlines(five.read("en/news/page/3/index.html")) == ["Story 1"]
    assert headlines(five.read("en/tags/cuba/page/2/index.html")) == ["Story 3", "Story 2"]
    assert headlines(five.read("es/autores/ana/page/3/index.html")) == ["Nota 1"]


def test_listing_headlines_link_to_articles(five):
    for path in ("en/index.html", "en/news/index.html", "en/tags/cuba/index.html",
                 "en/authors/ana/index.html"):
        page = five.read(path)
        hrefs = re.findall(r'<h2 class="teaser__headline"><a href="([^"]+)"', page)
        assert hrefs
        assert all(local_file(five.public, h).is_file() for h in hrefs)


def test_section_tag_author_listings(make_site):
    site = make_site({
        "content/americas/a.en.md": article("Alpha", tags="[cuba, music]", author="Ana"),
        "content/culture/b.en.md": article("Beta", tags="[music]", author="Bob"),
    })
    assert site.build().code == 0
    assert headlines(site.read("en/americas/index.html")) == ["Alpha"]
    assert headlines(site.read("en/culture/index.html")) == ["Beta"]
    assert sorted(headlines(site.read("en/tags/music/index.html"))) == ["Alpha", "Beta"]
    assert headlines(site.read("en/tags/cuba/index.html")) == ["Alpha"]
    assert headlines(site.read("en/authors/bob/index.html")) == ["Beta"]
    count = visible_text(element(site.read("en/tags/music/index.html"), "p", "listing__count"))
    assert count == "2 articles"


def test_tag_index_lists_every_tag(make_site):
    site = make_site({
        "content/news/a.en.md": article("Alpha", tags="[cuba, music]"),
        "content/news/b.en.md": article("Beta", tags="[music]"),
    })
    assert site.build().code == 0
    page = site.read("en/tags/index.html")
    terms = re.findall(r'<li><a href="([^"]+)">([^<]+)</a> <span class="terms__count">(\d+)</span>',
                       page)
    assert sorted((t[1], t[2]) for t in terms) == [("cuba", "1"), ("music", "2")]
    assert all(local_file(site.public, t[0]).is_file() for t in terms)
    assert (site.public / "en/authors/index.html").is_file()


def test_tags_differing_only_in_case_share_a_page(make_site):
    site = make_site({"content/news/a.en.md": article("Alpha", tags="[Cuba]"),
                      "content/news/b.en.md": article("Beta", tags="[cuba]")})
    assert site.build().code == 0
    assert sorted(headlines(site.read("en/tags/cuba/index.html"))) == ["Alpha", "Beta"]


def test_feed_link_on_every_html_page_of_the_language(pair):
    for lang in ("en", "es"):
        files = html_files(pair.public, lang)
        assert len(files) > 5
        for path in files:
            feeds = Tags(path.read_text("utf-8")).find("link", rel="alternate",
                                                       type="application/atom+xml")
            assert [f["href"] for f in feeds] == [f"/{lang}/feed.xml"], path


def test_every_page_of_a_language_has_its_html_lang(pair):
    for lang in ("en", "es"):
        for path in html_files(pair.public, lang):
            assert f'<html lang="{lang}">' in path.read_text("utf-8"), path


# --- root and 404 --------------------------------------------------------------------------

def test_root_index_leads_to_language_front_pages(pair):
    page = pair.read("index.html")
    hrefs = {a["href"] for a in Tags(page).find("a")}
    assert {"/en/", "/es/"} <= hrefs
    assert (pair.public / "en/index.html").is_file() and (pair.public / "es/index.html").is_file()
    assert len(Tags(page).find("h1")) == 1  # a heading, for screen readers (axe)


def test_404_pages(pair):
    en, es = pair.read("en/404.html"), pair.read("es/404.html")
    assert '<html lang="en">' in en and "Page not found" in en
    assert '<html lang="es">' in es and "Page not found" not in es
    assert Tags(es).find("a", href="/es/")
    root = pair.read("404.html")
    assert "<h1>" in root and '<a href="/' in root


# --- themes, languages, base URL -----------------------------------------------------------

def test_site_theme_template_overrides_bundled_one(make_site):
    override = ('{% extends "base.html" %}{% block main %}'
                '<h1 class="custom">{{ article.title }}</h1>{% endblock %}')
    site = make_site({"content/news/a.en.md": article("Hello"),
                      "themes/default/templates/article.html": override})
    assert site.build().code == 0
    page = site.read("en/news/hello/index.html")
    assert '<h1 class="custom">Hello</h1>' in page
    assert "story__headline" not in page
    assert '<link rel="canonical"' in page  # base.html still comes from the bundled theme


def test_site_theme_static_file_is_used(make_site):
    site = make_site({"content/news/a.en.md": article("Hello"),
                      "themes/default/static/css/site.css": "body { color: red; }\n"})
    assert site.build().code == 0
    href = Tags(site.read("en/news/hello/index.html")).find("link", rel="stylesheet")[0]["href"]
    assert local_file(site.public, href).read_text() == "body { color: red; }\n"


def test_template_error_is_reported(make_site):
    site = make_site({"content/news/a.en.md": article("Hello"),
                      "themes/default/templates/article.html": "{% if %}\n"})
    result = site.build()
    assert result.code == 1
    assert "themes/default/templates/article.html:1: error:" in result.err
    assert "Traceback" not in result.err


def test_third_language_with_its_own_catalog(make_site):
    config = (CONFIG.replace('["en", "es"]', '["en", "es", "fr"]')
              + '\n[languages.fr]\ntitle = "La Poste de l\'Île"\n')
    po = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: fr\\n"\n\n'
          'msgid "Skip to content"\nmsgstr "Aller au contenu"\n')
    site = make_site({
        "content/news/a.en.md": article("Hello"),
        "content/news/a.fr.md": article("Bonjour"),
        "locales/fr/LC_MESSAGES/messages.po": po,
    }, config=config)
    result = site.build()
    assert result.code == 0, result.err
    fr = site.read("fr/news/bonjour/index.html")
    assert '<html lang="fr">' in fr
    assert "Aller au contenu" in fr
    assert '<time datetime="2015-01-12T14:30:00-05:00">12 janvier 2015, 14:30 heure normale ' \
        'de Cuba</time>' in fr
    assert hreflangs(fr)["en"] == "https://example.org/en/news/hello/"
    en = site.read("en/news/hello/index.html")
    assert '<a href="/fr/news/bonjour/" hreflang="fr" lang="fr" rel="alternate">Français</a>' in en
    assert "Skip to content" in en
    assert "Saltar al contenido" in site.read("es/index.html")  # bundled catalog still used
    assert (site.public / "fr/feed.xml").is_file()


def test_base_url_with_sub_path(make_site):
    site = make_site({"content/news/a.en.md": article("Hello", tags="[cuba]"),
                      "content/news/a.es.md": article("Hola")})
    assert site.build("--base-url", "https://example.org/news/").code == 0
    page = site.read("en/news/hello/index.html")
    tags = Tags(page)
    hrefs = [a["href"] for a in tags.find("a") if a.get("href", "").startswith("/")]
    hrefs += [l["href"] for l in tags.find("link") if l["href"].startswith("/")]
    assert hrefs
    assert all(h.startswith("/news/") for h in hrefs), hrefs
    for h in hrefs:
        assert local_file(site.public, h, "/news/").is_file(), h
    assert Tags(page).find("link", rel="canonical")[0]["href"] == \
        "https://example.org/news/en/news/hello/"
    assert hreflangs(page)["es"] == "https://example.org/news/es/news/hola/"
    assert "https://example.org/news/sitemap.xml" in site.read("robots.txt")
    assert "/news/en/" in site.read("index.html")


def test_site_root_image_follows_base_url_sub_path(make_site):
    site = make_site({"content/news/a.en.md": article("Pic", image="/images/lead.jpg"),
                      "static/images/lead.jpg": JPEG})
    assert site.build("--base-url", "https://example.org/news/").code == 0
    page = site.read("en/news/pic/index.html")
    [img] = Tags(page).find("img")
    assert (img["src"] or "").startswith("/news/assets/images/lead-64.")
    assert all(c.startswith("/news/assets/images/") for c in (img["srcset"] or "").split(", "))
    [card] = meta(page, "og:image")
    assert card.startswith("https://example.org/news/assets/images/1200x630.")
    assert (site.public / "images/lead.jpg").read_bytes() == JPEG  # static/ is copied as it is
    assert Tags(site.read("en/index.html")).find("img", src=img["src"])
