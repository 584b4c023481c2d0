"""The pages of the publication (content/pages/: About, Contact, Corrections…), the 404 pages'
latest stories and the footer's copyright line."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import EPOCH, Tags, article, element, hreflangs, line_of, tree, visible_text

from sitegen.assemble import BuildOptions
from sitegen.commands.check import check
from sitegen.commands.preview import Session


def page(title: str, body: str = "Who we are.\n", **fields: str) -> str:
    """A page's file: its title, then each field as a raw YAML line, and no date."""
    return "\n".join(["---", f"title: {title}", *(f"{k}: {v}" for k, v in fields.items()),
                      "---", body])


def story(title: str, date: str, **fields: str) -> str:
    return article(title, date=date, sources="[Reuters]", tags="[cuba]", **fields)


PAGES = {
    "content/pages/about.en.md": page("About"),
    "content/pages/about.es.md": page("Acerca de", "Quiénes somos.\n"),
    "content/pages/contact.en.md": page("Contact"),
    "content/pages/contact.es.md": page("Contacto"),
    "content/pages/corrections.en.md": page("Corrections"),
    "content/pages/corrections.es.md": page("Correcciones"),
    "content/pages/privacy.en.md": page("Privacy", updated="2024-02-01"),
    "content/pages/privacy.es.md": page("Privacidad", updated="2024-02-01"),
    "content/world/rain.en.md": story("Rain Returns", "2014-06-01T10:00:00Z"),
    "content/world/rain.es.md": story("Vuelve la lluvia", "2014-06-01T10:00:00Z"),
}


@pytest.fixture
def site(make_site):
    site = make_site(PAGES)
    result = site.build()
    assert result.code == 0, result.err
    return site


def footer_links(text: str) -> list[tuple[str, str]]:
    nav = element(text, "nav", "site-footer__pages")
    return [(visible_text(label), href)
            for href, label in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', nav)]


# --- where pages are, and where they are not -----------------------------------------------

def test_pages_have_a_url_without_section_or_date_in_each_language(site):
    en, es = site.read("en/about/index.html"), site.read("es/acerca-de/index.html")
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", en) == ["About"]
    assert '<html lang="es">' in es and "Quiénes somos." in es
    assert Tags(en).find("link", rel="canonical")[0]["href"] == "https://example.org/en/about/"
    assert "<time" not in re.search(r"<main.*</main>", en, re.DOTALL).group(0)  # no date at all


def test_a_page_and_its_translation_switch_to_each_other(site):
    en, es = site.read("en/about/index.html"), site.read("es/acerca-de/index.html")
    assert hreflangs(en) == hreflangs(es) == {
        "en": "https://example.org/en/about/", "es": "https://example.org/es/acerca-de/",
        "x-default": "https://example.org/en/about/"}
    switch = element(en, "nav", "language-switch")
    assert 'href="/es/acerca-de/"' in switch and 'rel="alternate"' in switch


def test_a_page_shows_its_last_revision_only_where_it_gives_one(site):
    privacy = element(site.read("en/privacy/index.html"), "header", "house-page__header")
    assert visible_text(privacy) == "Privacy Updated February 1, 2024"
    assert "Actualizado 1 de febrero de 2024" in visible_text(site.read("es/privacidad/index.html"))


def test_pages_are_no_news(site):
    """Not in the front page, sections, tags, feeds or the news sitemap; no sources, no
    NewsArticle; only footers lead to them."""
    for path in sorted(site.public.rglob("*")):
        if path.suffix not in (".html", ".xml") or path.name == "sitemap.xml":
            continue
        text = re.sub(r'<footer class="site-footer".*?</footer>', "", path.read_text("utf-8"),
                      flags=re.DOTALL)
        text = re.sub(r'<link rel="(canonical|alternate)"[^>]*>|<nav class="language-switch"'
                      r'.*?</nav>', "", text, flags=re.DOTALL)  # a page's own links to itself
        assert "/en/about/" not in text and "/es/acerca-de/" not in text, path
    about = site.read("en/about/index.html")
    assert "NewsArticle" not in about and "story__sources" not in about
    assert "og:type" not in about
    assert "About" not in site.read("en/feed.xml")


def test_pages_are_in_the_sitemap_with_their_alternates(site):
    sitemap = site.read("sitemap.xml")
    entry = re.search(r"<url>\s*<loc>https://example.org/en/about/</loc>.*?</url>", sitemap, re.DOTALL)
    assert entry, sitemap
    assert 'hreflang="es" href="https://example.org/es/acerca-de/"' in entry.group(0)
    privacy = re.search(r"<loc>https://example.org/es/privacidad/</loc>\s*<lastmod>([^<]+)",
                        sitemap)
    assert privacy and privacy.group(1).startswith("2024-02-01")


def test_the_footer_of_every_page_lists_the_pages_of_its_language(site):
    for path in sorted(site.public.rglob("*.html")):
        rel = path.relative_to(site.public).as_posix()
        if rel == "index.html" or rel.startswith("pagefind"):
            continue  # the language chooser has no footer
        lang = "es" if rel.startswith("es/") else "en"
        expected = [("About", "/en/about/"), ("Contact", "/en/contact/"),
                    ("Corrections", "/en/corrections/"), ("Privacy", "/en/privacy/")] \
            if lang == "en" else \
            [("Acerca de", "/es/acerca-de/"), ("Contacto", "/es/contacto/"),
             ("Correcciones", "/es/correcciones/"), ("Privacidad", "/es/privacidad/")]
        assert footer_links(path.read_text("utf-8")) == expected, rel
    contact = site.read("en/contact/index.html")
    assert '<a href="/en/contact/" aria-current="page">' in contact


def test_pages_are_ordered_by_weight_then_title(make_site):
    site = make_site({**PAGES, "content/pages/privacy.en.md": page("Privacy", weight="-1"),
                      "content/pages/contact.en.md": page("Contact", weight="5")})
    assert site.build().code == 0
    assert [title for title, _ in footer_links(site.read("en/index.html"))] == \
        ["Privacy", "About", "Corrections", "Contact"]


def test_a_page_with_a_slug_of_its_own(make_site):
    site = make_site({"content/pages/about.es.md": page("Quiénes somos", slug="nosotros")})
    assert site.build().code == 0
    assert (site.public / "es/nosotros/index.html").is_file()


def test_a_draft_page_waits(make_site):
    site = make_site({**PAGES, "content/pages/contact.en.md": page("Contact", draft="true")})
    assert site.build().code == 0
    assert not (site.public / "en/contact").exists()
    assert "Contact" not in [t for t, _ in footer_links(site.read("en/index.html"))]
    assert site.build("--drafts").code == 0
    assert (site.public / "en/contact/index.html").is_file()


# --- what a page may say -----------------------------------------------------------------------

def test_a_story_key_on_a_page_is_an_error_at_its_line(make_site):
    text = page("About", tags="[cuba]", date="2015-01-12", sources="[AP]", weigth="2")
    site = make_site({"content/pages/about.en.md": text})
    result = site.build()
    assert result.code != 0
    path = "content/pages/about.en.md"
    assert f"{path}:{line_of(text, 'tags:')}: error: 'tags' is not a key of a page" in result.err
    assert f"{path}:{line_of(text, 'date:')}: error: 'date' is not a key of a page: a page " \
           "has no date" in result.err
    assert f"{path}:{line_of(text, 'sources:')}: error: 'sources' is not a key" in result.err
    assert f"{path}:{line_of(text, 'weigth:')}: error: unknown front matter key 'weigth' " \
           "(did you mean 'weight'?)" in result.err
    assert not site.public.exists()


def test_a_weight_must_be_a_whole_number(make_site):
    text = page("About", weight="first")
    site = make_site({"content/pages/about.en.md": text})
    result = site.build()
    assert f"content/pages/about.en.md:{line_of(text, 'weight')}: error: weight must be a " \
           "whole number" in result.err


def test_a_weight_is_no_key_of_a_story(make_site):
    text = story("Rain", "2014-06-01T10:00:00Z", weight="1")
    site = make_site({"content/world/rain.en.md": text})
    assert "unknown front matter key 'weight'" in site.build().err


def test_a_page_and_a_story_cannot_be_one_story(make_site):
    rain = story("Lluvia", "2014-06-01T10:00:00Z", translation_key="x")
    site = make_site({"content/pages/about.en.md": page("About", translation_key="x"),
                      "content/world/rain.es.md": rain})
    result = site.build()
    assert "content/pages/about.en.md:3: error: content/world/rain.es.md is a story, and a " \
           "page cannot be its translation: give one of them another translation_key" \
        in result.err
    assert f"content/world/rain.es.md:{line_of(rain, 'translation_key')}: error: " \
           "content/pages/about.en.md is a page of content/pages/, and a story cannot be its " \
           "translation" in result.err


@pytest.mark.parametrize("slug, taken", [
    ("world", "the section page /en/world/"),
    ("search", "the search page /en/search/"),
])
def test_a_page_at_the_url_of_a_site_page_is_an_error_naming_both(make_site, slug, taken):
    text = page("About", slug=slug)
    site = make_site({**PAGES, "content/pages/about.en.md": text})
    result = site.build()
    assert result.code != 0
    assert f"content/pages/about.en.md:{line_of(text, 'slug')}: error: its page would be " \
           f"written to en/{slug}/index.html, where the site writes {taken}: give it a " \
           "different slug" in result.err
    assert "or section" not in result.err
    assert not site.public.exists()


def test_a_page_at_the_url_of_a_spanish_index_is_an_error(make_site):
    text = page("Temas", slug="temas")
    site = make_site({**PAGES, "content/pages/topics.es.md": text})
    result = site.build()
    assert "where the site writes the tag index /es/temas/" in result.err


def test_a_page_and_a_story_at_one_url_name_each_other(make_site):
    text = page("Rain Returns", slug="rain-returns")
    site = make_site({"content/pages/rain.en.md": text,
                      "content/rain.en.md": article("Rain Returns", sources="[AP]")})
    result = site.build()
    assert result.code != 0
    assert "content/pages/rain.en.md:3: error: content/rain.en.md:2 would be written to " \
           "en/rain-returns/index.html too: give one a different slug (a page's URL is its " \
           "language and slug)" in result.err
    assert "content/rain.en.md:2: error: content/pages/rain.en.md:3 would be written to " \
           "en/rain-returns/index.html too: give one a different slug or section" in result.err


def test_check_reports_a_pages_broken_link_and_missing_translation(make_site):
    site = make_site({**PAGES, "content/pages/contact.en.md": page(
        "Contact", "Write to us, or read [our policy](/en/corrections/) and [this](/en/nope/).\n"),
        "content/pages/masthead.en.md": page("Masthead")})
    found = [str(d) for d in check(site.root, datetime.fromtimestamp(int(EPOCH), UTC))]
    assert any(d.startswith("content/pages/contact.en.md:4: error: broken link to /en/nope/")
               for d in found), found
    assert not any("/en/corrections/" in d for d in found)
    assert any(d.startswith("content/pages/masthead.en.md:1: info: only in English")
               for d in found), found
    assert not any("content/pages/" in d and "no sources" in d for d in found)


def test_check_reports_a_page_at_a_site_pages_url(make_site):
    site = make_site({**PAGES, "content/pages/about.en.md": page("About", slug="world")})
    found = [str(d) for d in check(site.root, datetime.fromtimestamp(int(EPOCH), UTC))]
    assert any("content/pages/about.en.md:3: error: its page would be written to "
               "en/world/index.html, where the site writes the section page /en/world/: give "
               "it a different slug" == d for d in found), found


def test_a_pages_body_images_and_aliases(make_site):
    from conftest import JPEG

    site = make_site({
        "content/pages/about.en.md": page("About", "![The newsroom](newsroom.jpg)\n",
                                          aliases="[/about-us/]"),
        "content/pages/newsroom.jpg": JPEG,
    })
    result = site.build()
    assert result.code == 0, result.err
    about = site.read("en/about/index.html")
    img = Tags(about).find("img", alt="The newsroom")[0]
    assert img["src"].endswith(".webp") and img["width"] and img["loading"] == "lazy"
    assert (site.public / img["src"].lstrip("/")).is_file()
    assert "/en/about/" in site.read("about-us/index.html")


# --- the 404 pages ---------------------------------------------------------------------------

def latest(text: str) -> list[tuple[str, str]]:
    found = element(text, "ul", "not-found__headlines")
    return [(visible_text(label), href)
            for href, label in re.findall(r'<a href="([^"]+)">(.*?)</a>', found)]


STORIES = {f"content/world/s{n}.{lang}.md": story(f"{'Story' if lang == 'en' else 'Nota'} {n}",
                                                   f"2014-0{n}-01T10:00:00Z")
           for n in range(1, 8) for lang in ("en", "es")}


def test_the_404_page_of_each_language_lists_its_latest_headlines(make_site):
    site = make_site({**STORIES, "content/world/only.es.md": story("Solo", "2014-09-01")})
    assert site.build().code == 0
    en, es, root = (site.read(f) for f in ("en/404.html", "es/404.html", "404.html"))
    assert latest(en) == [(f"Story {n}", f"/en/world/story-{n}/") for n in (7, 6, 5, 4, 3)]
    assert latest(es) == [("Solo", "/es/world/solo/"),
                          *((f"Nota {n}", f"/es/world/nota-{n}/") for n in (7, 6, 5, 4))]
    assert latest(root) == latest(en)
    assert visible_text(element(es, "h2", "not-found__heading")) == "Últimas noticias"
    assert 'href="/es/"' in element(es, "div", "not-found")  # still leads to the front page
    # Its language switch still leads to the other 404 page.
    assert 'href="/en/404.html"' in element(es, "nav", "language-switch")


def test_a_site_without_stories_has_a_404_without_headlines(make_site):
    site = make_site({"content/pages/about.en.md": page("About")})
    assert site.build().code == 0
    assert "not-found__latest" not in site.read("en/404.html")
    assert visible_text(element(site.read("en/404.html"), "p", "site-footer__copyright")) == \
        "© The Island Post"


def test_the_404_page_is_rendered_again_when_the_latest_headlines_change(make_site):
    site = make_site(STORIES)
    assert site.build().code == 0
    site.write("content/world/s7.en.md", story("Story 7 Corrected", "2014-07-01T10:00:00Z",
                                                slug="story-7"))
    assert site.build().code == 0
    assert latest(site.read("en/404.html"))[0] == ("Story 7 Corrected", "/en/world/story-7/")
    site.write("content/world/s8.en.md", story("Story 8", "2014-08-01T10:00:00Z"))
    assert site.build().code == 0
    assert [t for t, _ in latest(site.read("en/404.html"))] == \
        ["Story 8", "Story 7 Corrected", "Story 6", "Story 5", "Story 4"]


# --- the copyright line ------------------------------------------------------------------------

def test_the_copyright_year_is_the_newest_storys_in_every_language(make_site, tmp_path: Path,
                                                                    monkeypatch):
    site = make_site({**PAGES, "content/world/old.en.md": story("Old", "2009-01-01"),
                      "content/world/draft.en.md": story("Draft", "2014-12-01", draft="true"),
                      # Comes out after the tests' clock (2025-01-01): not yet published.
                      "content/world/later.en.md": story("Later", "2025-06-01")})
    assert site.build().code == 0
    for name in ("en/about/index.html", "es/index.html", "en/404.html"):
        line = visible_text(element(site.read(name), "p", "site-footer__copyright"))
        assert line == ("© 2014 El Post de la Isla" if name.startswith("es") else
                        "© 2014 The Island Post"), name
    first = tree(site.public)
    # Built again a year later, with nothing new to publish: the same bytes.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 60))
    shutil.rmtree(site.public)
    assert site.build("--no-cache").code == 0
    assert tree(site.public) == first
    # The scheduled story comes out: its year is the copyright's.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 200 * 86400))
    assert site.build().code == 0
    assert "© 2025 The Island Post" in site.read("en/contact/index.html")


# --- the live preview --------------------------------------------------------------------------

def test_the_preview_renders_a_saved_page_and_its_footer_title_everywhere(make_site,
                                                                          tmp_path: Path):
    site = make_site(PAGES)
    out = tmp_path / "preview"
    session = Session(site.root.resolve(), out)
    options = BuildOptions(now=datetime.fromtimestamp(int(EPOCH), UTC))
    session.build(options, None)
    about = site.root.resolve() / "content/pages/about.en.md"
    about.write_text(page("About", "We are a small newsroom.\n"), "utf-8")
    report = session.build(options, {str(about)}).report
    assert "en/about/index.html" in report.renewed
    assert "en/index.html" not in report.renewed  # only the page shows its body
    assert "We are a small newsroom." in (out / "en/about/index.html").read_text("utf-8")
    about.write_text(page("About Us", "We are a small newsroom.\n", slug="about"), "utf-8")
    report = session.build(options, {str(about)}).report
    assert "en/index.html" in report.renewed  # its title is in every footer
    assert "About Us" in element((out / "en/world/rain-returns/index.html").read_text("utf-8"),
                                 "nav", "site-footer__pages")
    session.close()
    cold = tmp_path / "cold"
    assert site.build("--no-cache", "-o", str(cold)).code == 0
    assert tree(out) == tree(cold)


def test_the_preview_rebuilds_a_page_added_in_content_pages(make_site, tmp_path: Path):
    site = make_site({k: v for k, v in PAGES.items() if "privacy" not in k})
    out = tmp_path / "preview"
    session = Session(site.root.resolve(), out)
    options = BuildOptions(now=datetime.fromtimestamp(int(EPOCH), UTC))
    session.build(options, None)
    added = site.write("content/pages/privacy.en.md", page("Privacy", "No cookies.\n"))
    session.build(options, {str(added.resolve())})
    assert "No cookies." in (out / "en/privacy/index.html").read_text("utf-8")
    assert ("Privacy", "/en/privacy/") in footer_links((out / "en/index.html").read_text("utf-8"))
    session.close()


def test_the_watcher_sees_a_page_saved(tmp_path: Path):
    from sitegen.commands.watch import is_source

    assert is_source(tmp_path, str(tmp_path / "content/pages/about.en.md"))


def test_a_page_whose_title_changed_redirects_its_old_url(make_site, monkeypatch):
    """Where the site is a git repository, a page's earlier URL leads to its new one."""
    import os
    import subprocess

    for name in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{name}_NAME", "Desk")
        monkeypatch.setenv(f"GIT_{name}_EMAIL", "desk@example.org")
        monkeypatch.setenv(f"GIT_{name}_DATE", "@1700000000 +0000")
    site = make_site({".gitignore": "public/\n.sitegen-cache/\n", **PAGES})

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=site.root, check=True, capture_output=True,
                       env=dict(os.environ))

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "Publish")
    site.write("content/pages/about.es.md", page("Quiénes somos"))
    monkeypatch.setenv("GIT_COMMITTER_DATE", "@1700003600 +0000")
    git("commit", "-q", "-am", "Rename the page")
    result = site.build()
    assert result.code == 0, result.err
    assert site.read("_redirects").splitlines() == ["/es/acerca-de/ /es/quienes-somos/ 301"]
    assert "/es/quienes-somos/" in site.read("es/acerca-de/index.html")


def test_new_writes_a_pages_translation_with_nothing_to_inherit(make_site):
    site = make_site({"content/pages/contact.en.md": page("Contact"),
                      "content/pages/about.es.md": page("Contacto", slug="contacto")})
    original = str(site.root / "content/pages/contact.en.md")
    result = site.runner("new", "Contacto", "--translation-of", original, "-s", site.root)
    assert result.code == 1  # its URL, /es/contacto/, is another page's
    assert "its page /es/contacto/ is taken by content/pages/about.es.md" in result.err
    result = site.runner("new", "Escríbanos", "--translation-of", original, "-s", site.root)
    assert result.code == 0, result.err
    text = (site.root / "content/pages/contact.es.md").read_text("utf-8")
    assert "Inherited" not in text and "date" not in text and "section" not in text
    assert site.build("--drafts").code == 0
    assert hreflangs(site.read("es/escribanos/index.html"))["en"] == \
        "https://example.org/en/contact/"


def test_a_page_in_one_language_is_no_untranslated_story(make_site):
    """With missing_translation = "link", the other edition's listings still hold only
    stories; the page's switch leads to the other front page, which no hreflang names."""
    from conftest import config_with

    site = make_site({**STORIES, "content/pages/masthead.en.md": page("Masthead")},
                     config=config_with(missing_translation='"link"'))
    assert site.build().code == 0
    assert "Masthead" not in site.read("es/index.html")
    masthead = site.read("en/masthead/index.html")
    assert set(hreflangs(masthead)) == {"en", "x-default"}
    assert 'href="/es/"' in element(masthead, "nav", "language-switch")


def test_an_alias_onto_a_page_is_an_error_naming_it(make_site):
    site = make_site({**PAGES, "content/world/old.en.md": story("Old", "2014-01-01",
                                                                aliases="[/en/about/]")})
    result = site.build()
    assert "alias /en/about/ would replace the page of content/pages/about.en.md:2" in result.err
