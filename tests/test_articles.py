"""Article fields: slugs, sections, authors, dates in the site timezone, drafts and future."""

from __future__ import annotations

import re

from conftest import Tags, article, element, meta, visible_text


def time_tag(page: str) -> tuple[str, str]:
    """(datetime attribute, shown text) of the article's dateline."""
    match = re.search(r'<p class="story__dateline"><time datetime="([^"]+)">([^<]+)</time>', page)
    assert match, "no dateline <time>"
    return match.group(1), match.group(2)


def test_slug_from_title_is_ascii_lowercase_hyphenated(make_site):
    site = make_site({"content/news/q.es.md": article('"¿Qué sigue para Cuba? Año nuevo"')})
    assert site.build().code == 0
    assert (site.public / "es/news/que-sigue-para-cuba-ano-nuevo/index.html").is_file()


def test_explicit_slug(make_site):
    site = make_site({"content/news/a.en.md": article("Long Headline Here", slug="short")})
    assert site.build().code == 0
    assert (site.public / "en/news/short/index.html").is_file()
    assert not (site.public / "en/news/long-headline-here").exists()


def test_section_defaults_to_first_folder_under_content(make_site):
    site = make_site({"content/americas/cuba/havana/a.en.md": article("Deep Story")})
    assert site.build().code == 0
    assert (site.public / "en/americas/deep-story/index.html").is_file()
    assert "Deep Story" in site.read("en/americas/index.html")


def test_explicit_section_overrides_folder(make_site):
    site = make_site({"content/americas/a.en.md": article("Moved", section="world")})
    assert site.build().code == 0
    assert (site.public / "en/world/moved/index.html").is_file()
    assert not (site.public / "en/americas").exists()


def test_article_at_content_top_has_no_section(make_site):
    site = make_site({"content/top.en.md": article("Top Story")})
    assert site.build().code == 0
    assert (site.public / "en/top-story/index.html").is_file()


def test_author_string(make_site):
    site = make_site({"content/news/a.en.md": article("One", author="Ana Pérez")})
    assert site.build().code == 0
    page = site.read("en/news/one/index.html")
    assert visible_text(element(page, "p", "story__byline")) == "By Ana Pérez"
    assert '<a href="/en/authors/ana-perez/" rel="author">Ana Pérez</a>' in page
    assert "One" in site.read("en/authors/ana-perez/index.html")


def test_authors_list(make_site):
    site = make_site({"content/news/a.en.md": article("Two", authors="[Ana Pérez, John Roe]")})
    assert site.build().code == 0
    page = site.read("en/news/two/index.html")
    assert visible_text(element(page, "p", "story__byline")) == "By Ana Pérez and John Roe"
    for slug in ("ana-perez", "john-roe"):
        assert "Two" in site.read(f"en/authors/{slug}/index.html")


def test_author_and_authors_together_is_an_error(make_site):
    site = make_site({"content/news/a.en.md": article("Two", author="A", authors="[B]")})
    result = site.build()
    assert result.code == 1
    assert "content/news/a.en.md:" in result.err and "author" in result.err


def test_naive_date_is_in_site_timezone_winter(make_site):
    site = make_site({"content/news/a.en.md": article("Winter", date="2015-01-12T14:30:00")})
    assert site.build().code == 0
    assert time_tag(site.read("en/news/winter/index.html")) == (
        "2015-01-12T14:30:00-05:00", "January 12, 2015, 2:30\u202fPM Cuba Standard Time")


def test_naive_date_is_in_site_timezone_summer(make_site):
    site = make_site({"content/news/a.en.md": article("Summer", date="2015-07-12T14:30:00")})
    assert site.build().code == 0
    assert time_tag(site.read("en/news/summer/index.html"))[0] == "2015-07-12T14:30:00-04:00"


def test_date_only_is_midnight_in_site_timezone(make_site):
    site = make_site({"content/news/a.en.md": article("Day", date="2015-01-12")})
    assert site.build().code == 0
    assert time_tag(site.read("en/news/day/index.html")) == (
        "2015-01-12T00:00:00-05:00", "January 12, 2015")


def test_other_offset_is_shown_in_site_timezone(make_site):
    site = make_site({"content/news/a.en.md": article("Late", date="2015-01-13T02:00:00+00:00"),
                      "content/news/a.es.md": article("Tarde", date="2015-01-13T02:00:00+00:00")})
    assert site.build().code == 0
    assert time_tag(site.read("en/news/late/index.html")) == (
        "2015-01-12T21:00:00-05:00", "January 12, 2015, 9:00\u202fPM Cuba Standard Time")
    assert time_tag(site.read("es/news/tarde/index.html")) == (
        "2015-01-12T21:00:00-05:00", "12 de enero de 2015, 21:00 (hora estándar de Cuba)")


def test_quoted_iso_date_string_is_accepted(make_site):
    site = make_site({"content/news/a.en.md": article("Quoted", date='"2015-01-12T14:30:00Z"')})
    assert site.build().code == 0
    assert time_tag(site.read("en/news/quoted/index.html"))[0] == "2015-01-12T09:30:00-05:00"


def test_updated_is_shown(make_site):
    site = make_site({"content/news/a.en.md": article("Fixed", updated="2015-01-14T10:00:00")})
    assert site.build().code == 0
    page = site.read("en/news/fixed/index.html")
    assert '<time datetime="2015-01-14T10:00:00-05:00">January 14, 2015, 10:00\u202fAM Cuba ' \
        'Standard Time</time>' in page
    assert "Updated" in visible_text(element(page, "p", "story__dateline"))
    assert meta(page, "article:modified_time") == ["2015-01-14T10:00:00-05:00"]


def test_drafts_are_excluded_by_default(make_site):
    site = make_site({"content/news/a.en.md": article("Secret Plan", draft="true"),
                      "content/news/b.en.md": article("Public News")})
    assert site.build().code == 0
    assert not (site.public / "en/news/secret-plan").exists()
    assert "Secret Plan" not in site.read("en/index.html")
    assert "Secret Plan" not in site.read("en/feed.xml")
    assert "secret-plan" not in site.read("sitemap.xml")


def test_drafts_are_built_with_drafts_option(make_site):
    site = make_site({"content/news/a.en.md": article("Secret Plan", draft="true")})
    assert site.build("--drafts").code == 0
    assert (site.public / "en/news/secret-plan/index.html").is_file()
    assert "Secret Plan" in site.read("en/index.html")


def test_future_articles_wait_for_their_time(make_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1421107200")  # 2015-01-13T00:00:00Z
    site = make_site({"content/news/a.en.md": article("Tomorrow", date="2015-01-14T09:00:00"),
                      "content/news/b.en.md": article("Yesterday", date="2015-01-12T09:00:00")})
    assert site.build().code == 0
    assert not (site.public / "en/news/tomorrow").exists()
    assert (site.public / "en/news/yesterday/index.html").is_file()
    assert "Tomorrow" not in site.read("en/feed.xml")

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1421312400")  # 2015-01-15T09:00:00Z
    assert site.build().code == 0
    assert (site.public / "en/news/tomorrow/index.html").is_file()


def test_future_option_builds_future_articles(make_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1421107200")
    site = make_site({"content/news/a.en.md": article("Tomorrow", date="2015-01-14T09:00:00")})
    assert site.build("--future").code == 0
    assert (site.public / "en/news/tomorrow/index.html").is_file()


def test_summary_defaults_to_first_paragraph(make_site):
    body = "# Heading\n\nThe *first* paragraph & more.\n\nThe second one.\n"
    site = make_site({"content/news/a.en.md": article("Dek", body=body)})
    assert site.build().code == 0
    page = site.read("en/news/dek/index.html")
    assert meta(page, "description") == ["The first paragraph & more."]
    assert visible_text(element(page, "p", "story__dek")) == "The first paragraph & more."
    assert "The first paragraph &amp; more." in site.read("en/index.html")


def test_explicit_summary(make_site):
    site = make_site({"content/news/a.en.md": article("Dek", summary="Given summary.")})
    assert site.build().code == 0
    page = site.read("en/news/dek/index.html")
    assert meta(page, "description") == ["Given summary."]
    assert meta(page, "og:description") == ["Given summary."]


def test_body_markdown_is_rendered(make_site):
    body = "Intro with [a link](https://example.com/).\n\n## Sub\n\n- one\n- two\n"
    site = make_site({"content/news/a.en.md": article("Body", body=body)})
    assert site.build().code == 0
    page = site.read("en/news/body/index.html")
    assert '<a href="https://example.com/">a link</a>' in page
    assert "<h2>Sub</h2>" in page
    assert "<li>one</li>" in page


def test_lead_image(make_site):
    site = make_site({"content/news/a.en.md": article(
        "Pic", image="https://cdn.example.org/p.jpg", image_alt='"A <pic>"')})
    assert site.build().code == 0
    page = site.read("en/news/pic/index.html")
    img = Tags(page).find("img", src="https://cdn.example.org/p.jpg")
    assert img and img[0]["alt"] == "A <pic>"
    assert meta(page, "og:image") == ["https://cdn.example.org/p.jpg"]
    assert meta(page, "twitter:card") == ["summary_large_image"]


def test_extra_is_passed_to_templates(make_site):
    theme = ('{% extends "base.html" %}{% block main %}<h1>{{ article.title }}</h1>'
             '<p class="kicker">{{ article.extra.kicker }}</p>{% endblock %}')
    site = make_site({"content/news/a.en.md": article("X", extra="{kicker: Exclusive}"),
                      "themes/default/templates/article.html": theme})
    assert site.build().code == 0
    assert '<p class="kicker">Exclusive</p>' in site.read("en/news/x/index.html")


def test_byline_and_update_in_spanish(make_site):
    site = make_site({"content/news/a.es.md": article(
        "Dos", authors="[Ana Pérez, John Roe]", updated="2015-01-14T10:00:00")})
    assert site.build().code == 0
    page = site.read("es/news/dos/index.html")
    assert visible_text(element(page, "p", "story__byline")) == "Por Ana Pérez y John Roe"
    assert visible_text(element(page, "p", "story__dateline")) == \
        "12 de enero de 2015, 14:30 (hora estándar de Cuba) · Actualizado 14 de enero de " \
        "2015, 10:00 (hora estándar de Cuba)"
    assert '<a href="/es/autores/ana-perez/" rel="author">Ana Pérez</a>' in page
