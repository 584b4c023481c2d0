"""Authors and datelines: the `[authors]` table, bylines matched to it in every language, author
pages with bio, photo and profiles, bios at a story's end, the JSON-LD author, dates with their
time and zone, and the `dateline:` place a story opens with."""

from __future__ import annotations

import json
import re

import pytest
from conftest import CONFIG, JPEG, Tags, article, element, hreflangs, line_of, photo, visible_text

NBSP, NNBSP = "\u00a0", "\u202f"

AUTHORS = """
[authors.staff]
name = { en = "Staff", es = "Redacción" }
organization = true

[authors.ana-perez]
name = "Ana Pérez"
photo = "/images/ana.jpg"
url = "https://anaperez.example/"
social = ["https://mastodon.social/@ana", "https://twitter.com/anaperez"]
[authors.ana-perez.bio]
en = "Ana covers Cuba's economy."
es = "Ana cubre la economía cubana."

[authors.john-roe]
name = { en = "John Roe", es = "Juan Roe" }
bio = { en = "John writes about music." }
"""
TABLE = CONFIG + AUTHORS

EN = "content/news/rates.en.md"
ES = "content/news/rates.es.md"
EN_PAGE = "en/news/rates/index.html"
ES_PAGE = "es/news/tasas/index.html"


def story(title: str, slug: str, **fields: str) -> str:
    return article(title, slug=slug, **fields)


@pytest.fixture
def newsroom(make_site):
    """A story by Staff and Ana Pérez in English, by Redacción and `ana-perez` (her key) in
    Spanish, with a portrait of Ana in static/; another by John Roe and an unknown byline."""
    site = make_site({
        EN: story("Rates", "rates", authors="[Staff, Ana Pérez]"),
        ES: story("Tasas", "tasas", authors="[Redacción, ana-perez]"),
        "content/news/music.en.md": story("Music", "music", authors="[John Roe, Pat Doe]"),
        "content/news/music.es.md": story("Música", "musica", authors="[John Roe, Pat Doe]"),
        "static/images/ana.jpg": photo(300, 400),
    }, config=TABLE)
    result = site.build()
    assert result.code == 0, result.err
    return site


def jsonld(page: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    assert found
    return json.loads(found.group(1))


def byline(page: str) -> str:
    return visible_text(element(page, "p", "story__byline"))


# The table in the configuration ---------------------------------------------------------------

def assert_error(result, line: int, *words: str) -> None:
    assert result.code == 1
    prefix = f"sitegen.toml:{line}: error: "
    lines = [l for l in result.err.splitlines() if l.startswith(prefix)]
    assert lines, f"no {prefix!r} in:\n{result.err}"
    for word in words:
        assert any(word in l for l in lines), (word, lines)
    assert "Traceback" not in result.err


def test_an_unknown_key_of_an_author_is_named_with_its_line(make_site):
    config = TABLE.replace('url = "https://anaperez.example/"',
                           'url = "https://anaperez.example/"\nphotos = "x"')
    result = make_site({EN: article("Rates")}, config=config).build()
    assert_error(result, line_of(config, "photos ="), "'photos'", "authors.ana-perez",
                 "did you mean 'photo'")


@pytest.mark.parametrize(("key", "value", "words"), [
    ("url", '"javascript:alert(1)"', ("javascript: addresses are not allowed",)),
    ("url", '"/about/ana/"', ("must be a web address",)),
    ("url", '"https://ana perez.example/"', ("must be a web address", "space")),
    ("social", '["https://mastodon.social/@ana", "ftp://files.example/ana"]',
     ("'ftp://files.example/ana'", "ftp: addresses are not allowed")),
    ("social", '"https://mastodon.social/@ana"', ("must be a list",)),
    ("photo", '"data:image/png;base64,AAAA"', ("authors.ana-perez.photo", "cannot be published")),
    ("organization", '"yes"', ("must be true or false",)),
])
def test_a_bad_value_is_an_error_at_its_line(make_site, key, value, words):
    config = CONFIG + f'\n[authors.ana-perez]\nname = "Ana Pérez"\n{key} = {value}\n'
    result = make_site({EN: article("Rates")}, config=config).build()
    assert_error(result, line_of(config, f"{key} = {value}"), *words)


def test_a_name_claimed_by_two_authors_is_an_error_naming_both(make_site):
    config = TABLE + '\n[authors.redaccion]\nname = "Redacción"\n'
    result = make_site({EN: article("Rates")}, config=config).build()
    assert_error(result, line_of(config, "[authors.redaccion]"), "authors.staff",
                 "'Redacción'", "cannot be two authors")


def test_a_key_that_is_another_authors_name_is_an_error(make_site):
    config = CONFIG + ('\n[authors.ana]\nname = "Ana Pérez"\n'
                       '\n[authors.ana-perez]\nname = "Ana P."\n')
    result = make_site({EN: article("Rates")}, config=config).build()
    assert_error(result, line_of(config, "[authors.ana-perez]"), "authors.ana")


@pytest.mark.parametrize(("entry", "needle", "words"), [
    ('[authors.ana]\nbio = { en = "x" }\n', "[authors.ana]", ("needs a name",)),
    ('[authors.ana]\nname = { en = "Ana", fr = "Anne" }\n', "name =", ("'fr'", "not configured")),
    ('[authors.ana]\nname = ""\n', "name =", ("must not be empty",)),
    ('[authors.ana]\nname = "Ana"\nbio = "Ana writes."\n', "bio =",
     ("authors.ana.bio must be a table of its text in each language",)),
    ('[authors.ana]\nname = "Ana"\nbio = { es = "  " }\n', "bio =", ("must not be empty",)),
    ("[authors]\nana = 3\n", "ana = 3", ("authors.ana must be a table",)),
])
def test_an_entry_that_is_not_whole_is_an_error(make_site, entry, needle, words):
    config = CONFIG + "\n" + entry
    result = make_site({EN: article("Rates")}, config=config).build()
    assert_error(result, line_of(config, needle), *words)


def test_every_problem_of_the_table_is_reported_together(make_site):
    config = CONFIG + ('\n[authors.a]\nname = "A"\nurl = "ftp://a.example"\n'
                       '\n[authors.b]\nname = "B"\nsocial = ["mailto:b@example.org"]\n')
    result = make_site({EN: article("Rates")}, config=config).build()
    assert_error(result, line_of(config, 'url = "ftp:'), "ftp:")
    assert_error(result, line_of(config, "social = "), "mailto:")


def test_a_photo_that_is_not_there_is_an_error_at_its_line(make_site):
    result = make_site({EN: article("Rates")}, config=TABLE).build()
    assert_error(result, line_of(TABLE, "photo ="), "authors.ana-perez.photo",
                 "static/images/ana.jpg")


# Bylines in every language ---------------------------------------------------------------------

def test_a_byline_is_matched_by_any_name_or_the_key_and_shown_in_the_pages_language(newsroom):
    en, es = newsroom.read(EN_PAGE), newsroom.read(ES_PAGE)
    assert byline(en) == "By Staff and Ana Pérez"
    assert byline(es) == "Por Redacción y Ana Pérez"
    assert '<a href="/en/authors/staff/" rel="author">Staff</a>' in en
    assert '<a href="/es/autores/redaccion/" rel="author">Redacción</a>' in es
    assert '<a href="/es/autores/ana-perez/" rel="author">Ana Pérez</a>' in es
    assert byline(newsroom.read("es/news/musica/index.html")) == "Por Juan Roe y Pat Doe"


def test_author_pages_of_one_author_are_counterparts(newsroom):
    staff, redaccion = newsroom.read("en/authors/staff/index.html"), \
        newsroom.read("es/autores/redaccion/index.html")
    assert hreflangs(staff) == {"en": "https://example.org/en/authors/staff/",
                                "es": "https://example.org/es/autores/redaccion/",
                                "x-default": "https://example.org/en/authors/staff/"}
    assert hreflangs(redaccion)["en"] == "https://example.org/en/authors/staff/"
    switch = Tags(element(staff, "nav", "language-switch")).find("a", hreflang="es")
    assert switch[0]["href"] == "/es/autores/redaccion/"
    assert hreflangs(newsroom.read("es/autores/juan-roe/index.html"))["en"] == \
        "https://example.org/en/authors/john-roe/"
    assert not (newsroom.public / "es/autores/staff").exists()
    index = element(newsroom.read("es/autores/index.html"), "ul", "terms")
    assert re.findall(r'<a href="/es/autores/([^"]+)/">([^<]+)</a>', index) == [
        ("ana-perez", "Ana Pérez"), ("juan-roe", "Juan Roe"), ("pat-doe", "Pat Doe"),
        ("redaccion", "Redacción")]


def test_a_byline_not_in_the_table_is_as_before(newsroom):
    music = newsroom.read("en/news/music/index.html")
    assert '<a href="/en/authors/pat-doe/" rel="author">Pat Doe</a>' in music
    assert {"@type": "Person", "name": "Pat Doe"} in jsonld(music)["author"]
    pat = newsroom.read("en/authors/pat-doe/index.html")
    assert hreflangs(pat)["es"] == "https://example.org/es/autores/pat-doe/"
    assert "profile" not in pat


def test_an_inherited_byline_is_shown_in_the_translations_language(make_site):
    site = make_site({EN: story("Rates", "rates", authors="[Staff]"),
                      ES: "---\ntitle: Tasas\nslug: tasas\n---\nCuerpo.\n",
                      "static/images/ana.jpg": JPEG}, config=TABLE)
    assert site.build().code == 0
    assert byline(site.read(ES_PAGE)) == "Por Redacción"


def test_listings_and_feeds_name_the_author_in_their_language(newsroom):
    front = newsroom.read("es/index.html")
    assert "Redacción y Ana Pérez" in visible_text(front)
    assert "Staff" not in visible_text(front)
    feed = newsroom.read("es/feed.xml")
    assert "<author><name>Redacción</name></author>" in feed
    assert "<name>Staff</name>" not in feed


# Author pages ----------------------------------------------------------------------------------

def test_an_author_page_shows_the_bio_photo_and_profiles(newsroom):
    page = newsroom.read("es/autores/ana-perez/index.html")
    header = element(page, "header", "profile")
    assert visible_text(element(header, "h1", "listing__title")) == "Ana Pérez"
    assert visible_text(element(header, "p", "profile__bio")) == "Ana cubre la economía cubana."
    [img] = Tags(header).find("img")
    assert (img["alt"], img["width"], img["height"]) == ("Ana Pérez", "128", "128")
    files = re.findall(r"(/assets/images/\S+) (\d+)w", img["srcset"])
    assert [width for _, width in files] == ["128", "256"]
    assert img["src"] == files[0][0]
    from PIL import Image
    for path, width in files:
        with Image.open(newsroom.public / path.lstrip("/")) as square:
            assert square.size == (int(width), int(width)) and square.format == "WEBP"
    links = [(a["href"], a["rel"]) for a in Tags(header).find("a")]
    assert links == [("https://anaperez.example/", "me noopener"),
                     ("https://mastodon.social/@ana", "me noopener"),
                     ("https://twitter.com/anaperez", "me noopener")]
    assert re.findall(r'rel="me noopener">([^<]+)</a>', header) == \
        ["anaperez.example", "@ana@mastodon.social", "twitter.com"]
    assert "Ana covers Cuba" in newsroom.read("en/authors/ana-perez/index.html")


def test_a_bio_only_in_another_language_is_not_shown(newsroom):
    es = newsroom.read("es/autores/juan-roe/index.html")
    assert "profile__bio" not in es and "John writes" not in es
    assert "John writes about music." in newsroom.read("en/authors/john-roe/index.html")
    assert "story__bios" not in newsroom.read("es/news/musica/index.html")


def test_a_small_photo_is_never_enlarged(make_site):
    site = make_site({EN: story("Rates", "rates", authors="[Ana Pérez]"),
                      "static/images/ana.jpg": photo(200, 150)}, config=TABLE)
    assert site.build().code == 0
    [img] = Tags(element(site.read("en/authors/ana-perez/index.html"), "header", "profile")
                 ).find("img")
    assert re.findall(r" (\d+)w", img["srcset"]) == ["128"]


def test_a_photo_on_another_server_is_shown_at_the_size_the_page_gives_it(make_site):
    config = TABLE.replace('"/images/ana.jpg"', '"https://images.example/ana.jpg"')
    site = make_site({EN: story("Rates", "rates", authors="[Ana Pérez]")}, config=config)
    assert site.build().code == 0
    [img] = Tags(element(site.read("en/authors/ana-perez/index.html"), "header", "profile")
                 ).find("img")
    assert img == {"class": "profile__photo", "src": "https://images.example/ana.jpg",
                   "alt": "Ana Pérez", "width": "128", "height": "128"}


def test_a_photo_is_made_only_for_an_author_with_stories_and_checked_for_every_one(make_site):
    site = make_site({EN: story("Rates", "rates", authors="[John Roe]"),
                      "static/images/ana.jpg": JPEG}, config=TABLE)
    assert site.build().code == 0
    assert not list((site.public / "assets/images").glob("ana-*"))
    (site.root / "static/images/ana.jpg").unlink()
    result = site.build()
    assert_error(result, line_of(TABLE, "photo ="), "authors.ana-perez.photo", "not found")


def test_an_svg_photo_is_shown_as_it_is(make_site):
    config = TABLE.replace('"/images/ana.jpg"', '"/images/ana.svg"')
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="60"/>\n'
    site = make_site({EN: story("Rates", "rates", authors="[Ana Pérez]"),
                      "static/images/ana.svg": svg}, config=config)
    assert site.build().code == 0
    [img] = Tags(element(site.read(EN_PAGE), "section", "story__bios")).find("img")
    assert (img["src"], img["width"], img["height"]) == ("/images/ana.svg", "64", "64")
    assert "srcset" not in img


def test_a_profile_opens_only_the_first_page_of_an_author(make_site):
    config = TABLE.replace('theme = "default"', 'theme = "default"\nper_page = 1')
    site = make_site({EN: story("Rates", "rates", authors="[Ana Pérez]"),
                      "content/news/b.en.md": story("Other", "other", authors="[Ana Pérez]"),
                      "static/images/ana.jpg": JPEG}, config=config)
    assert site.build().code == 0
    assert "profile__bio" in site.read("en/authors/ana-perez/index.html")
    second = site.read("en/authors/ana-perez/page/2/index.html")
    assert "profile__bio" not in second and "Ana Pérez" in second


# The end of a story ----------------------------------------------------------------------------

def test_a_story_ends_with_its_authors_bios_in_its_language(newsroom):
    en = element(newsroom.read(EN_PAGE), "section", "story__bios")
    assert visible_text(en) == "About the author Ana Pérez Ana covers Cuba's economy."
    assert Tags(en).find("a", href="/en/authors/ana-perez/", rel="author")
    [img] = Tags(en).find("img")
    assert (img["alt"], img["width"], img["height"], img["sizes"]) == ("", "64", "64", "4rem")
    es = element(newsroom.read(ES_PAGE), "section", "story__bios")
    assert visible_text(es) == "Sobre quien firma Ana Pérez Ana cubre la economía cubana."
    music = element(newsroom.read("en/news/music/index.html"), "section", "story__bios")
    assert visible_text(music) == "About the author John Roe John writes about music."


def test_two_bios_are_titled_in_the_plural(make_site):
    site = make_site({EN: story("Rates", "rates", authors="[Ana Pérez, John Roe]"),
                      "static/images/ana.jpg": JPEG}, config=TABLE)
    assert site.build().code == 0
    bios = element(site.read(EN_PAGE), "section", "story__bios")
    assert visible_text(element(bios, "h2", "story__bios-title")) == "About the authors"
    assert len(Tags(bios).find("div", class_="bio")) == 2


def test_no_bios_without_a_table(make_site):
    site = make_site({EN: story("Rates", "rates", authors="[Ana Pérez]")})
    assert site.build().code == 0
    assert "story__bios" not in site.read(EN_PAGE)


# JSON-LD ---------------------------------------------------------------------------------------

def test_the_jsonld_author_is_a_person_with_page_and_profiles_or_an_organization(newsroom):
    assert jsonld(newsroom.read(EN_PAGE))["author"] == [
        {"@type": "Organization", "name": "Staff", "url": "https://example.org/en/authors/staff/"},
        {"@type": "Person", "name": "Ana Pérez",
         "url": "https://example.org/en/authors/ana-perez/",
         "sameAs": ["https://anaperez.example/", "https://mastodon.social/@ana",
                    "https://twitter.com/anaperez"]}]
    es = jsonld(newsroom.read(ES_PAGE))["author"]
    assert es[0] == {"@type": "Organization", "name": "Redacción",
                     "url": "https://example.org/es/autores/redaccion/"}
    assert not any(a["@type"] == "Person" and a["name"] in ("Staff", "Redacción") for a in es)
    music = jsonld(newsroom.read("es/news/musica/index.html"))["author"]
    assert music == [{"@type": "Person", "name": "Juan Roe",
                      "url": "https://example.org/es/autores/juan-roe/"},
                     {"@type": "Person", "name": "Pat Doe"}]


# Text from the configuration is text -----------------------------------------------------------

def test_names_and_bios_from_the_configuration_are_escaped(make_site):
    config = CONFIG + ('\n[authors.evil]\nname = "AT&T <script>alert(1)</script>"\n'
                       'bio = { en = "<b>Bold</b> & \\"quoted\\"" }\n'
                       'social = ["https://example.org/?a=1&b=2"]\n')
    site = make_site({EN: story("Rates", "rates", author="evil")}, config=config)
    result = site.build()
    assert result.code == 0, result.err
    page = site.read(EN_PAGE)
    assert "<script>alert" not in page and "<b>Bold" not in page
    assert "AT&amp;T &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &#34;quoted&#34;" in page
    assert jsonld(page)["author"][0]["name"] == "AT&T <script>alert(1)</script>"
    listing = next((site.public / "en/authors").glob("*/index.html")).read_text("utf-8")
    assert "<script>alert" not in listing and "<b>Bold" not in listing
    assert 'href="https://example.org/?a=1&amp;b=2"' in listing


# Dates with their time -------------------------------------------------------------------------

def dateline(page: str) -> tuple[str, str]:
    match = re.search(r'<p class="story__dateline"><time datetime="([^"]+)">([^<]+)</time>', page)
    assert match
    return match.group(1), match.group(2)


def test_a_date_with_a_time_is_shown_with_its_time_and_zone_in_each_language(make_site):
    site = make_site({EN: story("Rates", "rates", date="2015-01-12T14:30:00-05:00"),
                      ES: story("Tasas", "tasas", date="2015-01-12T14:30:00-05:00")})
    assert site.build().code == 0
    assert dateline(site.read(EN_PAGE)) == (
        "2015-01-12T14:30:00-05:00", f"January 12, 2015, 2:30{NNBSP}PM Cuba Standard Time")
    assert dateline(site.read(ES_PAGE)) == (
        "2015-01-12T14:30:00-05:00", "12 de enero de 2015, 14:30 (hora estándar de Cuba)")


def test_a_zone_with_an_abbreviation_is_named_by_it(make_site):
    config = CONFIG.replace("America/Havana", "America/New_York")
    site = make_site({EN: story("Rates", "rates", date="2015-07-12T14:30:00"),
                      ES: story("Tasas", "tasas", date="2015-07-12T14:30:00")}, config=config)
    assert site.build().code == 0
    assert dateline(site.read(EN_PAGE))[1] == f"July 12, 2015, 2:30{NNBSP}PM EDT"
    assert dateline(site.read(ES_PAGE))[1] == \
        "12 de julio de 2015, 14:30 (hora de verano oriental)"


def test_a_date_without_a_time_is_only_a_date(make_site):
    site = make_site({EN: story("Rates", "rates", date="2015-01-12"),
                      ES: story("Tasas", "tasas", date='"2015-01-12"', updated="2015-01-14")})
    assert site.build().code == 0
    assert dateline(site.read(EN_PAGE)) == ("2015-01-12T00:00:00-05:00", "January 12, 2015")
    assert visible_text(element(site.read(ES_PAGE), "p", "story__dateline")) == \
        "12 de enero de 2015 · Actualizado 14 de enero de 2015"


def test_midnight_given_as_a_time_is_shown(make_site):
    site = make_site({EN: story("Rates", "rates", date="2015-01-12T00:00:00")})
    assert site.build().code == 0
    assert dateline(site.read(EN_PAGE))[1] == \
        f"January 12, 2015, 12:00{NNBSP}AM Cuba Standard Time"


def test_a_translation_that_takes_its_date_takes_its_time(make_site):
    site = make_site({EN: story("Rates", "rates", date="2015-01-12T14:30:00"),
                      ES: "---\ntitle: Tasas\nslug: tasas\nupdated: 2015-01-13\n---\nCuerpo.\n",
                      "content/news/day.en.md": story("Day", "day", date="2015-01-12"),
                      "content/news/day.es.md": "---\ntitle: Día\nslug: dia\n---\nCuerpo.\n"})
    assert site.build().code == 0
    assert visible_text(element(site.read(ES_PAGE), "p", "story__dateline")) == \
        "12 de enero de 2015, 14:30 (hora estándar de Cuba) · Actualizado 13 de enero de 2015"
    assert dateline(site.read("es/news/dia/index.html"))[1] == "12 de enero de 2015"


# The dateline's place --------------------------------------------------------------------------

def test_a_dateline_opens_the_first_paragraph(make_site):
    site = make_site({EN: story("Rates", "rates", dateline="HAVANA"),
                      ES: story("Tasas", "tasas", dateline="LA HABANA"),
                      "content/news/b.en.md": story("Plain", "plain")})
    assert site.build().code == 0
    body = element(site.read(EN_PAGE), "div", "story__body").strip()
    assert body.startswith(f'<p><span class="story__place">HAVANA</span>{NBSP}— First '
                           "paragraph.</p>")
    assert element(site.read(ES_PAGE), "div", "story__body").strip().startswith(
        f'<p><span class="story__place">LA HABANA</span>{NBSP}— First paragraph.')
    assert "story__place" not in site.read("en/news/plain/index.html")


def test_a_dateline_is_not_inherited(make_site):
    site = make_site({EN: story("Rates", "rates", dateline="HAVANA"),
                      ES: "---\ntitle: Tasas\nslug: tasas\n---\nCuerpo.\n"})
    assert site.build().code == 0
    assert "story__place" not in site.read(ES_PAGE)
    assert "HAVANA" not in site.read(ES_PAGE)


def test_a_dateline_before_a_body_that_opens_otherwise_has_a_paragraph_of_its_own(make_site):
    site = make_site({EN: story("Rates", "rates", dateline="HAVANA",
                                body="## A heading\n\nText.\n")})
    assert site.build().code == 0
    body = element(site.read(EN_PAGE), "div", "story__body").strip()
    assert body.startswith(f'<p class="story__dateline-place"><span class="story__place">HAVANA'
                           f'</span>{NBSP}—</p>\n<h2>A heading</h2>')


def test_a_dateline_is_escaped_and_kept_out_of_the_summary(make_site):
    site = make_site({EN: story("Rates", "rates", dateline='"AT&T <b>"')})
    assert site.build().code == 0
    page = site.read(EN_PAGE)
    assert '<span class="story__place">AT&amp;T &lt;b&gt;</span>' in page
    assert '<meta name="description" content="First paragraph.">' in page


@pytest.mark.parametrize(("value", "words"), [
    ('""', "dateline must be a place"),
    ("[HAVANA]", "dateline must be text"),
    ('"HAVANA\\nCUBA"', "dateline must be one line"),
    ("A" * 61, "dateline is 61 characters long"),
])
def test_a_bad_dateline_is_an_error_at_its_line(make_site, value, words):
    text = story("Rates", "rates", dateline=value)
    result = make_site({EN: text}).build()
    assert result.code == 1
    assert f"{EN}:{line_of(text, 'dateline:')}: error: {words}" in result.err, result.err
