"""Themes: a site replaces one partial or one block of the default theme, a kind of page may
have its own template or fall back to the general one, the SEO tags come from a partial, and a
template's mistake is reported at its file and line wherever in the theme it is."""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path

import pytest
from conftest import CONFIG, JPEG, Tags, article, line_of, meta

from sitegen.discover import bundled_dir
from sitegen.errors import BuildFailed
from sitegen.render import Renderer
from sitegen.theme import Theme

BUNDLED = "themes/default/templates"
STORIES = {
    "content/news/port.en.md": article(
        "Port Reopens", authors="[Ana Pérez, John Roe]", tags="[trade, cuba]",
        summary="Ships are back.", image="/images/port.jpg", image_alt="The port",
        updated="2015-01-14T10:00:00", slug="port", translation_key="port",
        sources="\n  - AFP\n  - name: Reuters\n    url: https://www.reuters.com/"),
    "content/news/port.es.md": article("Reabre el puerto", slug="puerto", translation_key="port"),
    "static/images/port.jpg": JPEG,
}
# One page of each kind, and the template that renders it in the default theme.
PAGES = {
    "en/news/port/index.html": "article",
    "en/index.html": "front",
    "en/news/index.html": "section",
    "en/tags/trade/index.html": "tag",
    "en/authors/ana-perez/index.html": "author",
    "en/tags/index.html": "tag index",
    "en/authors/index.html": "author index",
    "en/404.html": "404",
}


def bundled(name: str) -> str:
    return (bundled_dir() / BUNDLED / name).read_text("utf-8")


def with_line(text: str, after: str, line: str) -> str:
    """`text` with `line` inserted after its first line containing `after`."""
    lines = text.splitlines(keepends=True)
    at = next(n for n, text in enumerate(lines) if after in text) + 1
    return "".join(lines[:at] + [line + "\n"] + lines[at:])


def built(make_site, files: dict[str, str], config: str = CONFIG):
    site = make_site({**STORIES, **files}, config=config)
    result = site.build()
    assert result.code == 0, result.err
    return site


def failed(make_site, files: dict[str, str], config: str = CONFIG) -> list[str]:
    site = make_site({**STORIES, **files}, config=config)
    result = site.build()
    assert result.code == 1, result.out + result.err
    assert "Traceback" not in result.err
    return [line for line in result.err.splitlines() if ": error: " in line]


# --- a site replaces one piece of the default theme ----------------------------------------------

def test_a_sites_own_footer_partial_is_on_every_page(make_site):
    footer = '<footer class="desk">Tips: {{ site_title }} newsroom</footer>\n'
    site = built(make_site, {f"{BUNDLED}/partials/footer.html": footer})
    for path in PAGES:
        page = site.read(path)
        assert '<footer class="desk">Tips: The Island Post newsroom</footer>\n</body>' in page, path
        assert "site-footer" not in page, path
        assert 'class="masthead"' in page, path  # the rest is still the bundled theme's
    spanish = site.read("es/news/puerto/index.html")
    assert '<footer class="desk">Tips: El Post de la Isla newsroom</footer>' in spanish
    assert "desk" not in site.read("index.html")  # the language chooser has no footer


def test_a_section_template_overrides_one_block_of_the_listing(make_site):
    section = ('{% extends "list.html" %}\n'
               '{% block navigation %}<p class="desk-nav">{{ heading }} desk</p>\n{% endblock %}\n')
    site = built(make_site, {f"{BUNDLED}/section.html": section})
    page = site.read("en/news/index.html")
    assert '<p class="desk-nav">News desk</p>' in page
    assert 'class="sections"' not in page
    assert "listing--section" in page and "Port Reopens" in page  # list.html's own blocks
    for path in ("en/index.html", "en/tags/trade/index.html", "en/authors/ana-perez/index.html",
                 "en/news/port/index.html"):
        assert "desk-nav" not in site.read(path), path
        assert 'class="sections"' in site.read(path), path


def test_a_sites_article_meta_partial_replaces_the_byline_area(make_site):
    byline = '    <p class="credit">{{ article.authors|join(" & ") }}</p>\n'
    site = built(make_site, {f"{BUNDLED}/partials/article_meta.html": byline})
    page = site.read("en/news/port/index.html")
    assert '<p class="credit">Ana Pérez &amp; John Roe</p>' in page
    assert "story__dateline" not in page and 'class="story__headline"' in page


# --- a kind of page has its own template, or the general one ------------------------------------

MINE = CONFIG.replace('theme = "default"', 'theme = "mine"')
MINE_BASE = ('<!doctype html>\n<title>{% block title %}{% endblock %}</title>\n'
             '<main>{% block main %}{% endblock %}</main>\n')


def kind_template(label: str) -> str:
    return ('{% extends "base.html" %}{% block title %}' + label + '{% endblock %}'
            '{% block main %}' + label + ' {{ kind }}{% endblock %}\n')


def mine(**templates: str) -> dict[str, str]:
    """A theme of the site's own, with no bundled copy behind it."""
    files = {"base.html": MINE_BASE,
             "article.html": '{% extends "base.html" %}{% block main %}{{ article.title }}'
                             '{% endblock %}\n',
             "404.html": '{% extends "base.html" %}{% block main %}missing{% endblock %}\n',
             "root.html": "<p>{% for e in editions %}{{ e.lang }} {% endfor %}</p>\n",
             **templates}
    return {f"themes/mine/templates/{name}": text for name, text in files.items()}


def test_a_theme_without_list_html_renders_each_listing_with_its_kinds_template(make_site):
    site = built(make_site, mine(**{f"{kind}.html": kind_template(f"{kind} page")
                                    for kind in ("front", "section", "tag", "author")},
                                 **{"terms.html": kind_template("index")}), config=MINE)
    assert "<main>front page front</main>" in site.read("en/index.html")
    assert "<main>section page section</main>" in site.read("en/news/index.html")
    assert "<main>tag page tag</main>" in site.read("en/tags/trade/index.html")
    assert "<main>author page author</main>" in site.read("en/authors/ana-perez/index.html")
    assert "<main>index tag</main>" in site.read("en/tags/index.html")


def test_a_listing_without_its_own_template_uses_list_html(make_site):
    site = built(make_site, mine(**{"list.html": kind_template("listing"),
                                    "tag.html": kind_template("topic"),
                                    "terms.html": kind_template("index"),
                                    "author_index.html": kind_template("people")}), config=MINE)
    assert "<main>listing front</main>" in site.read("en/index.html")
    assert "<main>listing section</main>" in site.read("en/news/index.html")
    assert "<main>topic tag</main>" in site.read("en/tags/trade/index.html")
    assert "<main>listing author</main>" in site.read("en/authors/ana-perez/index.html")
    assert "<main>index tag</main>" in site.read("en/tags/index.html")
    assert "<main>people author</main>" in site.read("en/authors/index.html")


def test_a_listing_with_no_template_at_all_names_what_was_looked_for(make_site):
    found = failed(make_site, mine(**{"terms.html": kind_template("index")}), config=MINE)
    assert len(found) == 4, found  # once per kind of listing, with the pages it broke
    for kind in ("front", "section", "tag", "author"):
        assert any(line.startswith(f"themes/mine/templates/list.html: error: none of the "
                                   f"templates '{kind}.html', 'list.html' found (while rendering ")
                   for line in found), (kind, found)


def test_a_page_template_may_be_named_alone_or_among_others(tmp_path: Path):
    folder = tmp_path / "themes" / "mine"
    (folder / "templates").mkdir(parents=True)
    (folder / "templates" / "hello.html").write_text("Hello {{ name }}\n", "utf-8")
    theme = Theme.load((folder,), lambda path: Path(path).read_bytes())
    renderer = Renderer(theme, "en", gettext.NullTranslations(), "https://example.org/", tmp_path)
    assert renderer.render("hello.html", {"name": "you"}) == b"Hello you\n"
    assert renderer.render(["greeting.html", "hello.html"], {"name": "all"}) == b"Hello all\n"
    with pytest.raises(BuildFailed) as missing:
        renderer.render(("greeting.html", "welcome.html"), {})
    assert [str(d) for d in missing.value.diagnostics] == [
        ("themes/mine/templates/welcome.html: error: none of the templates 'greeting.html', "
         "'welcome.html' found")]


# --- what search engines and social networks read ---------------------------------------------

def jsonld(page: str) -> dict:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    assert len(found) == 1, found
    return json.loads(found[0])


def test_the_news_article_json_ld_parses_to_its_values(make_site):
    site = built(make_site, {})
    url = "https://example.org/en/news/port/"
    data = jsonld(site.read("en/news/port/index.html"))
    crops = data["image"]  # 16:9, 4:3 and 1:1, made from the lead image
    assert [(c["@type"], c["width"], c["height"]) for c in crops] == [
        ("ImageObject", 1200, 675), ("ImageObject", 1200, 900), ("ImageObject", 1200, 1200)]
    assert all(re.fullmatch(r"https://example\.org/assets/images/1200x\d+\.\w{16}\.jpg",
                            c["url"]) for c in crops)
    assert data == {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Port Reopens",
        "description": "Ships are back.",
        "inLanguage": "en",
        "datePublished": "2015-01-12T14:30:00-05:00",
        "dateModified": "2015-01-14T10:00:00-05:00",
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "author": [{"@type": "Person", "name": "Ana Pérez"},
                   {"@type": "Person", "name": "John Roe"}],
        "publisher": {"@type": "NewsMediaOrganization", "name": "The Island Post",
                      "url": "https://example.org/en/"},
        "articleSection": "News",
        "keywords": ["trade", "cuba"],
        "image": crops,
        "isBasedOn": [{"@type": "CreativeWork", "name": "AFP"},
                      {"@type": "CreativeWork", "name": "Reuters",
                       "url": "https://www.reuters.com/"}],
    }
    for path, kind in PAGES.items():  # only articles are NewsArticles
        assert ("ld+json" in site.read(path)) == (kind == "article"), path


def test_the_json_ld_cannot_end_its_script(make_site):
    title = "'</script><script>alert(1)</script>'"
    site = built(make_site, {"content/news/x.en.md": article(title, slug="x")})
    page = site.read("en/news/x/index.html")
    assert jsonld(page)["headline"] == "</script><script>alert(1)</script>"
    assert page.count("</script>") == 1 and "\\u003c/script\\u003e" in page


def test_open_graph_and_twitter_tags_come_from_the_seo_partial(make_site):
    site = built(make_site, {})
    page = site.read("en/news/port/index.html")
    assert meta(page, "og:url") == ["https://example.org/en/news/port/"]
    assert meta(page, "og:locale") == ["en_US"]
    assert meta(page, "og:locale:alternate") == ["es_ES"]
    assert meta(page, "article:tag") == ["trade", "cuba"]
    [card] = meta(page, "og:image")
    assert meta(page, "twitter:image") == [card]
    assert re.fullmatch(r"https://example\.org/assets/images/1200x630\.[0-9a-f]{16}\.jpg",
                        card)
    assert meta(page, "og:image:alt") == ["The port"]
    assert meta(page, "twitter:card") == ["summary_large_image"]
    spanish = site.read("es/news/puerto/index.html")
    # The Spanish version gives no image: it takes the story's (SPEC §6.3), without alt text
    assert meta(spanish, "og:locale") == ["es_ES"]
    assert meta(spanish, "twitter:card") == ["summary_large_image"]
    assert meta(spanish, "og:image") == meta(page, "og:image")
    assert meta(spanish, "og:image:alt") == []

    cards = bundled("partials/seo_head.html").replace(
        '<meta name="twitter:card"', '<meta name="twitter:site" content="@islandpost">\n'
                                     '<meta name="twitter:card"').replace(
        "{{ jsonld|tojson }}", '{{ dict(jsonld, publisher=dict(jsonld.publisher, '
                               'logo="https://example.org/logo.png"))|tojson }}')
    site.write(f"{BUNDLED}/partials/seo_head.html", cards)
    assert site.build().code == 0
    page = site.read("en/news/port/index.html")
    assert meta(page, "twitter:site") == ["@islandpost"]
    assert jsonld(page)["publisher"]["logo"] == "https://example.org/logo.png"
    assert Tags(page).find("link", rel="canonical")[0]["href"] == "https://example.org/en/news/port/"


# --- a template's mistake, wherever it is ------------------------------------------------------

def test_an_error_in_a_sites_partial_names_the_partial_and_its_line(make_site):
    footer = "<footer>\n{{ 1/0 }}\n</footer>\n"
    found = failed(make_site, {f"{BUNDLED}/partials/footer.html": footer})
    assert len(found) == 1, found
    assert found[0].startswith(f"{BUNDLED}/partials/footer.html:2: error: ZeroDivisionError")


def test_an_error_in_a_block_of_a_sites_base_names_its_line(make_site):
    base = with_line(bundled("base.html"), '<main id="main"', "{{ edition_motto }}")
    found = failed(make_site, {f"{BUNDLED}/base.html": base})
    line = line_of(base, "{{ edition_motto }}")
    assert len(found) == 1, found
    assert found[0].startswith(f"{BUNDLED}/base.html:{line}: error: 'edition_motto' is undefined")


def test_an_error_in_the_bundled_base_names_its_file_and_line(make_site):
    section = '{% extends "list.html" %}\n{% set feed_href = no_such_feed %}\n'
    found = failed(make_site, {f"{BUNDLED}/section.html": section})
    line = line_of(bundled("base.html"), 'type="application/atom+xml"')
    assert len(found) == 1, found
    assert found[0].startswith(f"sitegen/_bundled/{BUNDLED}/base.html:{line}: error: "
                               "'no_such_feed' is undefined (while rendering /en/news/")


def test_an_error_in_a_bundled_partial_names_it(make_site):
    section = '{% extends "list.html" %}\n{% set nav = 5 %}\n'
    found = failed(make_site, {f"{BUNDLED}/section.html": section})
    line = line_of(bundled("partials/navigation.html"), "{% for item in nav %}")
    assert len(found) == 1, found
    assert found[0].startswith(f"sitegen/_bundled/{BUNDLED}/partials/navigation.html:{line}: "
                               "error: TypeError: 'int' object is not iterable (while rendering "
                               "/en/news/")


def test_an_error_in_the_seo_partials_cards_names_its_line(make_site):
    cards = with_line(bundled("partials/seo_head.html"), "{% if article is defined %}",
                      "{{ article.no_such_field }}")
    found = failed(make_site, {f"{BUNDLED}/partials/seo_head.html": cards})
    line = line_of(cards, "{{ article.no_such_field }}")
    assert len(found) == 1, found
    assert found[0].startswith(f"{BUNDLED}/partials/seo_head.html:{line}: error: ")
    assert "no_such_field" in found[0]


# --- the interface strings of the partials -------------------------------------------------------

def test_i18n_extracts_the_strings_of_every_partial(make_site, run):
    site = make_site({})
    result = run("i18n", "extract", "-s", site.root)
    assert result.code == 0, result.err
    pot = (site.root / "locales" / "messages.pot").read_text("utf-8")
    for msgid, partial in (("Language", "language_switch"), ("Sections", "navigation"),
                           ("Atom feed", "footer"), ("By %(names)s", "article_meta")):
        entry = pot[:pot.index(f'msgid "{msgid}"')].rsplit("\n\n", 1)[-1]
        assert f"sitegen/_bundled/{BUNDLED}/partials/{partial}.html:" in entry, (msgid, entry)


def test_the_readmes_theme_example_builds_as_it_says(make_site):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    themes = readme.split("### Themes\n", 1)[1].split("\n## ", 1)[0]
    example = themes.split("```jinja\n", 1)[1].split("```", 1)[0]
    path = re.match(r"\{# (\S+) #\}\n", example)
    assert path, example
    site = built(make_site, {path.group(1): example})
    page = site.read("en/news/index.html")
    assert '<p class="desk">Tips for the News desk: desk@example.org</p>' in page
    assert page.index('class="sections"') < page.index('class="desk"') < page.index("<main")
    assert 'class="desk"' not in site.read("en/tags/trade/index.html")


def test_a_theme_overrides_the_machine_formats_and_keeps_sitegens_own_otherwise(make_site):
    """Atom, the sitemaps and robots.txt come from sitegen's own templates unless the theme
    has one of the same name, as Hugo's embedded templates do."""
    robots = "User-agent: *\nDisallow: /drafts/\n{% for url in sitemaps %}\nSitemap: {{ url }}\n{% endfor %}\n"
    site = built(make_site, {f"{BUNDLED}/robots.txt": robots})
    assert (site.public / "robots.txt").read_text("utf-8") == (
        "User-agent: *\nDisallow: /drafts/\nSitemap: https://example.org/sitemap.xml\n")
    feed = (site.public / "en/feed.xml").read_text("utf-8")
    assert feed.startswith('<?xml version="1.0" encoding="utf-8"?>\n<feed ') and "Port Reopens" in feed
