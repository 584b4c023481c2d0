"""SPEC §6.1–6.3: every page has its counterpart, untranslated stories are listed, and a
translation inherits what describes the story. Built on real files, checked on the HTML."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser

from conftest import JPEG, Tags, article, hreflangs, local_file, visible_text

BASE = "https://example.org/"

NEWSROOM = """\
[site]
base_url = "https://example.org"
default_language = "en"
languages = ["en", "es"]
timezone = "America/Havana"
per_page = 2
missing_translation = "link"

[languages.en]
title = "The Island Post"
sections = { economy = "Economy", opinion = "Opinion" }

[languages.es]
title = "El Post de la Isla"
sections = { economy = "Economía", opinion = "Opinión" }

[terms]
"human rights" = { es = "derechos humanos" }
"elections" = { es = "elecciones" }
"""


def newsroom(make_site, **files: str):
    base = {
        "content/economy/rates.en.md": article(
            "Rates Hold", "2015-01-10", authors="[Ana Pérez]",
            tags="[Human Rights, elections, markets]"),
        "content/economy/rates.es.md": article(
            "Las tasas se mantienen", "2015-01-10", authors="[Ana Pérez]",
            tags="[derechos humanos, elecciones, mercados]"),
        "content/economy/budget.en.md": article("Budget Passes", "2015-01-11",
                                                tags="[elections]"),
        "content/economy/budget.es.md": article("Pasa el presupuesto", "2015-01-11",
                                                tags="[elecciones]"),
        "content/economy/only-english.en.md": article("Only in English", "2015-01-12",
                                                      tags="[Human Rights]"),
        "content/opinion/solo-espanol.es.md": article("Solo en español", "2015-01-13",
                                                      tags="[elecciones, local]"),
    }
    return make_site({**base, **files}, config=NEWSROOM)


def pages(public: Path) -> dict[str, str]:
    return {p.relative_to(public).as_posix(): p.read_text("utf-8")
            for p in sorted(public.rglob("*.html"))}


def switch(page: str) -> list[dict]:
    """The language switch's links (the masthead's `nav.language-switch`)."""
    nav = re.search(r'<nav class="language-switch".*?</nav>', page, re.S)
    return Tags(nav.group()).find("a") if nav else []


def test_localized_url_segments(make_site):
    site = newsroom(make_site)
    assert site.build().code == 0
    for rel in ("es/economia/index.html", "es/opinion/index.html", "es/temas/index.html",
                "es/autores/index.html", "es/temas/derechos-humanos/index.html",
                "es/autores/ana-perez/index.html", "es/economia/las-tasas-se-mantienen/index.html",
                "en/economy/index.html", "en/tags/human-rights/index.html",
                "en/authors/ana-perez/index.html"):
        assert (site.public / rel).is_file(), rel
    assert not (site.public / "es/economy").exists()
    assert not (site.public / "es/tags").exists()
    article_page = site.read("es/economia/las-tasas-se-mantienen/index.html")
    links = {a["href"] for a in Tags(article_page).find("a")}
    assert {"/es/economia/", "/es/autores/ana-perez/", "/es/temas/derechos-humanos/"} <= links


def test_every_page_names_counterparts_that_name_it_back(make_site):
    """The hreflang sets are reciprocal, the switch follows them, and a page without a
    counterpart switches to the other front page with no hreflang naming it."""
    site = newsroom(make_site)
    assert site.build().code == 0
    found = pages(site.public)
    checked = 0
    for rel, page in found.items():
        if 'http-equiv="refresh"' in page:
            continue
        alternates = {lang: url for lang, url in hreflangs(page).items() if lang != "x-default"}
        own_lang = re.search(r'<html lang="([a-z]+)"', page).group(1)
        for lang, url in alternates.items():
            other = local_file(site.public, url, BASE)
            assert other.is_file(), (rel, url)
            back = {k: v for k, v in hreflangs(other.read_text("utf-8")).items()
                    if k != "x-default"}
            assert back == alternates, (rel, other)
        if rel in ("index.html", "404.html"):
            continue
        for link in switch(page):
            if link.get("rel") == "alternate":
                assert BASE + link["href"].lstrip("/") == alternates[link["hreflang"]], rel
            else:
                assert link["href"] == f"/{link['hreflang']}/", rel
                assert link["hreflang"] not in alternates, rel
            assert link["hreflang"] != own_lang
            checked += 1
    assert checked > 20


def test_counterparts_of_every_kind_of_page(make_site):
    site = newsroom(make_site)
    assert site.build().code == 0

    def others(rel: str) -> dict[str, str]:
        return {a["hreflang"]: a["href"] for a in switch(site.read(rel))}

    assert others("en/index.html") == {"es": "/es/"}
    assert others("en/page/2/index.html") == {"es": "/es/page/2/"}
    assert others("en/economy/index.html") == {"es": "/es/economia/"}
    assert others("es/economia/page/2/index.html") == {"en": "/en/economy/page/2/"}
    assert others("en/tags/index.html") == {"es": "/es/temas/"}
    assert others("en/tags/human-rights/index.html") == {"es": "/es/temas/derechos-humanos/"}
    assert others("es/temas/elecciones/index.html") == {"en": "/en/tags/elections/"}
    assert others("en/authors/index.html") == {"es": "/es/autores/"}
    assert others("en/authors/ana-perez/index.html") == {"es": "/es/autores/ana-perez/"}
    assert others("en/404.html") == {"es": "/es/404.html"}
    # No glossary entry: no counterpart, the switch goes to the other front page.
    markets = site.read("en/tags/markets/index.html")
    assert others("en/tags/markets/index.html") == {"es": "/es/"}
    assert "es" not in hreflangs(markets)
    # The opinion section exists in Spanish only (its English listing shows the untranslated
    # story): both pages name each other.
    assert others("en/opinion/index.html") == {"es": "/es/opinion/"}


def test_sitemap_alternates_follow_the_pages(make_site):
    site = newsroom(make_site)
    assert site.build().code == 0
    sitemap = site.read("sitemap.xml")
    entries = dict(re.findall(r"<url>\s*<loc>([^<]+)</loc>(.*?)</url>", sitemap, re.S))
    tag = entries[BASE + "en/tags/human-rights/"]
    assert f'hreflang="es" href="{BASE}es/temas/derechos-humanos/"' in tag
    assert "hreflang" not in entries[BASE + "en/tags/markets/"]
    assert f'hreflang="en" href="{BASE}en/economy/"' in entries[BASE + "es/economia/"]


def test_tags_shown_as_the_glossary_spells_them(make_site):
    site = newsroom(make_site)
    assert site.build().code == 0
    page = site.read("en/economy/rates-hold/index.html")
    tags = [visible_text(a) for a in re.findall(r'<a href="/en/tags/[^"]+/"[^>]*>.*?</a>', page)]
    assert tags == ["human rights", "elections", "markets"]
    listing = site.read("en/tags/human-rights/index.html")
    assert '<h1 class="listing__title">human rights</h1>' in listing
    # Written in another case, never lower-cased by the theme where no term spells it
    site.write("content/economy/caps.en.md", article("Caps", "2015-01-01", tags="[COP28]"))
    assert site.build().code == 0
    assert '<h1 class="listing__title">COP28</h1>' in site.read("en/tags/cop28/index.html")


def test_untranslated_stories_are_listed_by_their_original(make_site):
    site = newsroom(make_site)
    assert site.build().code == 0
    front = site.read("en/index.html")
    teaser = re.search(r'<article class="teaser teaser--untranslated" lang="es">.*?</article>',
                       front, re.S).group()
    assert '<a href="/es/opinion/solo-en-espanol/" hreflang="es">Solo en español</a>' in teaser
    assert "In Spanish" in visible_text(teaser)
    spanish_front = site.read("es/index.html")
    teaser = re.search(r'<article class="teaser teaser--untranslated" lang="en">.*?</article>',
                       spanish_front, re.S).group()
    assert "/en/economy/only-in-english/" in teaser and "En inglés" in visible_text(teaser)
    # Sections and glossary tags list them too; authors and unknown tags do not.
    assert "/es/opinion/solo-en-espanol/" in site.read("en/opinion/index.html")
    assert "/es/opinion/solo-en-espanol/" in site.read("en/tags/elections/index.html")
    assert not (site.public / "en/tags/local").exists()
    assert "/en/economy/only-in-english/" in site.read("es/temas/derechos-humanos/index.html")
    # No phantom page, feed entry or sitemap URL.
    assert not (site.public / "en/opinion/solo-en-espanol").exists()
    feed = feedparser.parse(site.read("en/feed.xml"))
    assert [e.title for e in feed.entries] == ["Only in English", "Budget Passes", "Rates Hold"]
    sitemap = site.read("sitemap.xml")
    assert "en/opinion/solo-en-espanol" not in sitemap
    assert sitemap.count("<loc>https://example.org/es/opinion/solo-en-espanol/</loc>") == 1


def test_untranslated_stories_omitted_by_default(make_site):
    site = make_site({"content/economy/solo.es.md": article("Solo")})
    assert site.build().code == 0
    assert "Solo" not in site.read("en/index.html")
    assert "teaser--untranslated" not in site.read("es/index.html")


INHERITING = """---
title: Las tasas se mantienen
lang: es
translation_key: rates
image_alt: Un gráfico de tasas
---
Cuerpo en español.
"""


def test_a_translation_inherits_what_describes_the_story(make_site):
    original = ("---\ntitle: Rates Hold\ndate: 2015-01-12T14:30:00-05:00\nlang: en\n"
                "translation_key: rates\nsection: economy\nauthors: [Ana Pérez, John Roe]\n"
                "tags: [Human Rights, markets]\nimage: /images/rates.png\n"
                "image_alt: A chart of rates\nsources:\n  - Reuters\n"
                "  - name: EFE\n    url: https://www.efe.com/\n---\nBody.\n")
    site = make_site({"content/rates.en.md": original, "content/tasas.es.md": INHERITING,
                      "static/images/rates.png": JPEG}, config=NEWSROOM)
    assert site.build().code == 0
    page = site.read("es/economia/las-tasas-se-mantienen/index.html")
    assert '<time datetime="2015-01-12T14:30:00-05:00">12 de enero de 2015, 14:30 (hora ' \
        'estándar de Cuba)</time>' in page  # the time of day goes with the date
    assert visible_text(re.search(r'<p class="story__byline">.*?</p>', page, re.S).group()) \
        == "Por Ana Pérez y John Roe"
    assert 'Fuentes: Reuters, <a href="https://www.efe.com/">EFE</a>.' in page
    assert '/assets/images/rates-64.' in page and 'alt="Un gráfico de tasas"' in page
    tags = re.findall(r'<a href="/es/temas/([^"/]+)/"', page)
    assert tags == ["derechos-humanos"]  # `markets` has no glossary entry: not inherited
    assert 'hreflang="en" href="https://example.org/en/economy/rates-hold/"' in page


def test_a_story_with_no_date_anywhere_is_an_error(make_site):
    site = make_site({"content/economy/a.en.md": article("A", date=None, translation_key="k"),
                      "content/economy/b.es.md": article("B", date=None, translation_key="k")})
    site.write("public/keep.txt", "old output")
    result = site.build()
    assert result.code != 0
    assert "content/economy/a.en.md:1: error: missing required 'date'" in result.err
    assert "content/economy/b.es.md:1: error: missing required 'date'" in result.err
    assert site.read("keep.txt") == "old output"


def test_feed_entry_ids_survive_a_new_headline(make_site):
    site = make_site({"content/economy/story.en.md": article("First Headline")})
    assert site.build().code == 0
    before = feedparser.parse(site.read("en/feed.xml")).entries[0]
    site.write("content/economy/story.en.md", article("Corrected Headline"))
    assert site.build().code == 0
    after = feedparser.parse(site.read("en/feed.xml")).entries[0]
    assert before.link != after.link
    assert before.id == after.id and before.id.startswith("urn:uuid:")


def test_glossary_errors_name_the_key(make_site):
    config = NEWSROOM + '"vote" = { es = "elecciones" }\n"strike" = { fr = "grève" }\n'
    site = make_site({"content/economy/a.en.md": article("A")}, config=config)
    result = site.build()
    assert result.code != 0
    lines = config.splitlines()
    vote = lines.index('"vote" = { es = "elecciones" }') + 1
    strike = lines.index('"strike" = { fr = "grève" }') + 1
    assert f"sitegen.toml:{vote}: error: terms.vote: its 'es' spelling 'elecciones' is also " \
           "the spelling of term 'elections'" in result.err
    assert f"sitegen.toml:{strike}: error: terms.strike: language 'fr' is not configured" \
        in result.err


def test_section_labels_that_would_share_a_folder_are_errors(make_site):
    clash = NEWSROOM.replace('sections = { economy = "Economía", opinion = "Opinión" }',
                             'sections = { economy = "Economía", opinion = "Economia" }')
    site = make_site({"content/economy/a.en.md": article("A")}, config=clash)
    result = site.build()
    line = clash.splitlines().index('sections = { economy = "Economía", opinion = "Economia" }')
    assert result.code != 0
    assert (f"sitegen.toml:{line + 1}: error: sections 'economy' and 'opinion' in "
            "[languages.es] would share the folder /es/economia/") in result.err

    tags = NEWSROOM.replace('opinion = "Opinión"', 'opinion = "Temas"')
    site = make_site({"content/economy/a.en.md": article("A")}, config=tags, name="tags")
    result = site.build()
    assert result.code != 0
    assert ("error: section 'opinion' of [languages.es] would have its pages in /es/temas/, "
            "the folder of the tag pages") in result.err
