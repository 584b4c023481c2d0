"""`sitegen new` and `sitegen init`: files that build at once, translations that pair, and refusals
that write nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import CONFIG, JPEG, Tags, article, element, hreflangs, tree, visible_text

from sitegen import config as site_config
from sitegen import frontmatter, staleness, urls
from sitegen.content import Article, ParseSettings, Source, parse
from sitegen.typography import Style, typeset
from sitegen.errors import BuildFailed
from sitegen.commands.scaffold import init_site, new_article

BARE = re.sub(r"^sections = .*\n", "", CONFIG, flags=re.MULTILINE)  # no sections declared
SECTIONS = BARE.replace(
    'title = "The Island Post"\n',
    'title = "The Island Post"\nsections = { americas = "Americas", world = "World", '
    'economy = "Economy" }\n',
).replace(
    'title = "El Post de la Isla"\n',
    'title = "El Post de la Isla"\nsections = { mundo = "Mundo", americas = "Américas" }\n',
)
NOW = datetime(2025, 1, 1, tzinfo=UTC)  # conftest's EPOCH: 2024-12-31 19:00 in Havana

SPANISH_ONLY = article(
    '"Cuba y EE.UU.: el diálogo sigue"', "2015-01-12T14:30:00-05:00",
    body="Primer párrafo.\n\nSegundo párrafo.\n",
    tags="[cuba, diplomacia]", image="/images/malecon.jpg",
    image_alt='"El Malecón de La Habana"', translation_key="cuba-talks",
    sources="\n  - Reuters\n  - name: EFE\n    url: https://www.efe.com/",
)


def parsed(site_root: Path, rel: str) -> Article:
    """The file as the build reads it."""
    config = site_config.load(site_root)
    settings = ParseSettings.of(config, {lang: "back" for lang in config.codes})
    return parse(rel, (site_root / rel).read_bytes(), settings)


def new(site, *args: str):
    return site.runner("new", *args, "-s", site.root)


def refused(site, *args: str) -> str:
    """Run `sitegen new`, expect it to refuse, check that nothing changed; return stderr."""
    before = tree(site.root)
    result = new(site, *args)
    assert result.code == 1, result
    assert result.out == ""
    assert tree(site.root) == before
    assert "nothing was written" in result.err
    return result.err


# A new story ----------------------------------------------------------------------------------

def test_new_article_is_written_in_its_section_and_builds(make_site):
    site = make_site({"content/world/other.en.md": article("Other")}, config=SECTIONS)
    result = new(site, "Cuba Talks Resume")
    assert result.code == 0, result.err
    written = site.root.resolve() / "content/americas/cuba-talks-resume.en.md"
    assert result.out == f"{written}\n"  # the site is not under the current folder: absolute
    story = parsed(site.root, "content/americas/cuba-talks-resume.en.md")
    assert (story.title, story.lang, story.slug, story.section) == \
        ("Cuba Talks Resume", "en", "cuba-talks-resume", "americas")
    assert story.sources == () and story.translated_from is None
    text = written.read_text("utf-8")
    assert "\nsources: []\n" in text and text.endswith("---\n\n")

    assert site.build("-j", "1", "--drafts").code == 0
    page = site.read("en/americas/cuba-talks-resume/index.html")
    assert visible_text(element(page, "h1", "story__headline")) == "Cuba Talks Resume"
    assert "Cuba Talks Resume" in site.read("en/index.html")
    assert "es" not in hreflangs(page)


def test_spanish_article_goes_to_the_first_spanish_section(make_site):
    site = make_site({}, config=SECTIONS)
    assert new(site, "Sigue el diálogo", "--lang", "es").code == 0
    story = parsed(site.root, "content/mundo/sigue-el-dialogo.es.md")
    assert (story.lang, story.section) == ("es", "mundo")


def test_section_option_and_a_new_section_folder(make_site):
    site = make_site({}, config=SECTIONS)
    assert new(site, "Rates Hold", "--section", "economy").code == 0
    assert parsed(site.root, "content/economy/rates-hold.en.md").section == "economy"


def test_printed_path_is_relative_to_the_current_folder(make_site, monkeypatch):
    site = make_site({}, config=SECTIONS)
    monkeypatch.chdir(site.root.parent)
    result = site.runner("new", "Hello", "-s", site.root.name)
    assert result.out == "site/content/americas/hello.en.md\n"


@pytest.mark.parametrize("timezone, now, shown", [
    ("America/Havana", NOW, "2024-12-31T19:00:00-05:00"),
    ("America/Havana", datetime(2024, 7, 1, 12, 30, 15, 999, tzinfo=UTC),
     "2024-07-01T08:30:15-04:00"),
    ("Asia/Tokyo", NOW, "2025-01-01T09:00:00+09:00"),
    ("UTC", NOW, "2025-01-01T00:00:00+00:00"),
])
def test_date_is_now_in_the_site_timezone(make_site, timezone, now, shown):
    site = make_site({}, config=SECTIONS.replace("America/Havana", timezone))
    path = new_article(site.root, "Clock", lang=None, section=None, translation_of=None, now=now)
    assert f"\ndate: {shown}\n" in path.read_text("utf-8")
    story = parsed(site.root, "content/americas/clock.en.md")
    assert story.date == now.replace(microsecond=0)
    assert story.date.utcoffset() == datetime.fromisoformat(shown).utcoffset()


def test_new_article_dated_by_the_build_clock_is_published(make_site):
    site = make_site({}, config=SECTIONS)
    assert new(site, "Breaking").code == 0
    assert site.build("-j", "1", "--drafts").code == 0  # same SOURCE_DATE_EPOCH: not future
    assert (site.public / "en/americas/breaking/index.html").is_file()


@pytest.mark.parametrize("title", [
    'US Officials: "Cuba" Has Freed All 53 Prisoners',
    "¿Qué sigue para Cuba? Año nuevo",
    "Cuba's #1 priority: 'normal' ties",
    "AT&T <script> & more",
    "- a dash, then: a colon",
    "yes",
    "2015",
    "null",
    "[brackets] {braces} | pipes > and %",
    "Ñandú: 50% más, según «El País»",
])
def test_titles_round_trip_exactly(make_site, title):
    site = make_site({}, config=SECTIONS)
    result = new(site, title)
    assert result.code == 0, result.err
    rel = f"content/americas/{urls.slugify(title)}.en.md"
    story = parsed(site.root, rel)
    assert story.title == typeset(title, Style())  # with English quotes and apostrophes
    assert story.slug == urls.slugify(title)
    assert frontmatter.split((site.root / rel).read_text("utf-8"), rel).fields["title"] == title


def test_awkward_title_shows_as_written_on_the_page(make_site):
    title = 'US Officials: "Cuba" & AT&T <script> — Año #1'
    site = make_site({}, config=SECTIONS)
    assert new(site, title).code == 0
    assert site.build("-j", "1", "--drafts").code == 0
    page = site.read(f"en/americas/{urls.slugify(title)}/index.html")
    assert visible_text(element(page, "h1", "story__headline")) == \
        'US Officials: “Cuba” & AT&T <script> — Año #1'  # set with curly quotes
    assert "<script>" not in element(page, "h1", "story__headline")


def test_a_broken_article_elsewhere_does_not_block_a_new_one(make_site):
    site = make_site({"content/world/broken.en.md": "---\ntitle: [unclosed\n---\n"},
                     config=SECTIONS)
    assert new(site, "Fine").code == 0
    assert (site.root / "content/americas/fine.en.md").is_file()


# Refusing a new story -------------------------------------------------------------------------

def test_refuses_to_overwrite(make_site):
    site = make_site({"content/americas/hello.en.md": article("Something else")}, config=SECTIONS)
    err = refused(site, "Hello")
    assert "content/americas/hello.en.md: error: already exists" in err


def test_refuses_an_unknown_language(make_site):
    site = make_site({}, config=SECTIONS)
    err = refused(site, "Bonjour", "--lang", "fr")
    assert "--lang: error: language 'fr' is not configured" in err
    assert "['en', 'es']" in err


@pytest.mark.parametrize("title, message", [
    ("", "the title must not be empty"),
    ("   ", "the title must not be empty"),
    ("¿?", "gives an empty URL slug"),
    ("— … —", "gives an empty URL slug"),
    ("Two\nlines", "a title is one line"),
])
def test_refuses_a_title_without_a_slug(make_site, title, message):
    site = make_site({}, config=SECTIONS)
    err = refused(site, title)
    assert "TITLE: error: " in err and message in err


def test_refuses_a_url_another_article_has(make_site):
    site = make_site({"content/americas/old-name.en.md": article("Old", slug="talks")},
                     config=SECTIONS)
    err = refused(site, "Talks")
    assert "content/americas/talks.en.md: error: its page /en/americas/talks/ is taken by " \
           "content/americas/old-name.en.md" in err


def test_same_url_in_the_other_language_is_fine(make_site):
    site = make_site({"content/americas/old-name.es.md": article("Viejo", slug="talks")},
                     config=SECTIONS)
    assert new(site, "Talks").code == 0


def test_refuses_a_name_that_would_pair_with_an_unrelated_story(make_site):
    site = make_site({"content/americas/hello.es.md": article("Hola")}, config=SECTIONS)
    err = refused(site, "Hello")
    assert "content/americas/hello.es.md has the same name" in err
    assert "--translation-of" in err


def test_without_configured_sections_asks_to_declare_them(make_site):
    site = make_site({"content/world/a.en.md": article("A"), "content/sports/b.en.md":
                      article("B"), "content/.hidden/c.en.md": article("C")}, config=BARE)
    err = refused(site, "Hello")
    assert "--section: error: " in err
    assert "world" in err and "sports" in err and ".hidden" not in err
    assert "no language declares any" in err and 'sections = { news = "News" }' in err
    assert "is not declared" in refused(site, "Hello", "--section", "world")


def test_a_language_without_sections_asks_for_a_declared_one(make_site):
    site = make_site({}, config=SECTIONS.replace(
        'sections = { mundo = "Mundo", americas = "Américas" }\n', ""))
    err = refused(site, "Hola", "--lang", "es")
    assert "pass --section NAME, one of americas, world, economy" in err
    assert new(site, "Hola", "--lang", "es", "--section", "world").code == 0


def test_without_sections_or_folders_asks_for_one(make_site):
    site = make_site({}, config=BARE)
    err = refused(site, "Hello")
    assert "content/ has no section folders yet" in err


@pytest.mark.parametrize("section", ["..", "../outside", "a/b", "", "-x", "news desk"])
def test_refuses_a_section_that_is_not_one_folder_name(make_site, section):
    site = make_site({}, config=SECTIONS)
    err = refused(site, "Hello", f"--section={section}")
    assert "--section: error: section" in err


def test_refuses_a_folder_that_is_not_a_site(tmp_path, run):
    (tmp_path / "notes").mkdir()
    result = run("new", "Hello", "-s", tmp_path / "notes")
    assert result.code == 1 and "no sitegen.toml here" in result.err
    assert list((tmp_path / "notes").iterdir()) == []


def test_reports_a_broken_configuration(make_site):
    site = make_site({}, config=SECTIONS.replace("[site]", "[site]\ntitel = 1"))
    err = refused(site, "Hello")
    assert "sitegen.toml:2: error: unknown key 'titel'" in err


# Translations ---------------------------------------------------------------------------------

def test_translation_of_a_spanish_only_story_pairs_on_the_built_site(make_site):
    site = make_site({"content/world/dialogo.es.md": SPANISH_ONLY,
                      "static/images/malecon.jpg": JPEG}, config=SECTIONS)
    assert site.build("-j", "1").code == 0
    es_page = "es/world/cuba-y-ee-uu-el-dialogo-sigue/index.html"
    assert "en" not in hreflangs(site.read(es_page))

    result = new(site, "Cuba and the US: Talks Go On", "--translation-of",
                 "content/world/dialogo.es.md")  # relative to SITE: the site is elsewhere
    assert result.code == 0, result.err
    assert result.out == f"{site.root.resolve() / 'content/world/dialogo.en.md'}\n"
    assert site.build("-j", "1", "--drafts").code == 0
    en_url = "https://example.org/en/world/cuba-and-the-us-talks-go-on/"
    assert hreflangs(site.read(es_page))["en"] == en_url
    en = site.read("en/world/cuba-and-the-us-talks-go-on/index.html")
    assert hreflangs(en)["es"] == "https://example.org/es/world/cuba-y-ee-uu-el-dialogo-sigue/"
    assert visible_text(element(en, "p", "story__sources")) == "Sources: Reuters, EFE."
    assert Tags(en).find("a", href="https://www.efe.com/")

    again = refused(site, "Cuba and the US: Talks Go On", "--translation-of",
                    "content/world/dialogo.es.md")
    assert "already has a version in every configured language" in again
    assert "content/world/dialogo.en.md" in again
    again = refused(site, "Cuba and the US: Talks Go On", "--translation-of",
                    "content/world/dialogo.es.md", "--lang", "en")
    assert "content/world/dialogo.en.md: error: is already the 'en' version of " \
           "content/world/dialogo.es.md" in again


GLOSSARY = SECTIONS + '\n[terms]\n"Cuba" = { es = "cuba" }\n'
ORIGINAL = article(
    '"Cuba y EE.UU.: el diálogo sigue"', "2015-01-12T14:30:00-05:00",
    body="Primer párrafo.\n\nSegundo párrafo.\n",
    authors="[Ana Pérez, Redacción]", tags="[cuba, diplomacia]", image="/images/malecon.jpg",
    image_alt='"El Malecón de La Habana"', translation_key="cuba-talks",
    summary="El diálogo sigue.",
    sources="\n  - Reuters\n  - name: EFE\n    url: https://www.efe.com/",
)


def test_translation_writes_only_what_is_translated(make_site):
    site = make_site({"content/world/dialogo.es.md": ORIGINAL}, config=GLOSSARY)
    assert new(site, "Talks Go On", "--translation-of", "content/world/dialogo.es.md").code == 0
    original = parsed(site.root, "content/world/dialogo.es.md")
    text = (site.root / "content/world/dialogo.en.md").read_text("utf-8")
    assert text == f"""---
title: Talks Go On
draft: true
lang: en
slug: talks-go-on
image_alt: El Malecón de La Habana
translation_key: cuba-talks
translated_from: {original.fingerprint}
# Inherited from content/world/dialogo.es.md:
# date: 2015-01-12T14:30:00-05:00
# authors: [Ana Pérez, Redacción]
# sources: [Reuters, {{name: EFE, url: 'https://www.efe.com/'}}]
# image: /images/malecon.jpg
# tags: [Cuba]
# Not inherited: tag "diplomacia" has no English spelling in [terms] of sitegen.toml: add it there,
#   or give tags: here.
# image_alt above is the original's: translate it into English.
# Uncomment a field above to give this version its own instead.
---

"""
    translation = parsed(site.root, "content/world/dialogo.en.md")
    assert translation.given == {"section"}  # by its folder, as the original's
    assert (translation.tags, translation.sources, translation.authors, translation.image) == \
        ((), (), (), None)
    assert translation.summary == "" and translation.image_alt == "El Malecón de La Habana"

    # Uncommented, the comment's lines are the fields they show.
    uncommented = text.replace("\n# date:", "\ndate:").replace("\n# sources:", "\nsources:")
    site.write("content/world/dialogo.en.md", uncommented)
    again = parsed(site.root, "content/world/dialogo.en.md")
    assert (again.date, again.sources) == (original.date, original.sources)


def test_the_built_translation_shows_what_it_inherits(make_site):
    site = make_site({"content/world/dialogo.es.md": ORIGINAL,
                      "static/images/malecon.jpg": JPEG}, config=GLOSSARY)
    assert new(site, "Talks Go On", "--translation-of", "content/world/dialogo.es.md").code == 0
    assert site.build("-j", "1", "--drafts").code == 0
    page = site.read("en/world/talks-go-on/index.html")
    assert visible_text(element(page, "h1", "story__headline")) == "Talks Go On"
    assert visible_text(element(page, "p", "story__byline")) == "By Ana Pérez and Redacción"
    assert '<time datetime="2015-01-12T14:30:00-05:00">January 12, 2015, 2:30\u202fPM Cuba ' \
        'Standard Time</time>' in page
    assert visible_text(element(page, "p", "story__sources")) == "Sources: Reuters, EFE."
    assert Tags(page).find("a", href="https://www.efe.com/")
    tags = Tags(page).find("a", rel="tag")
    assert [visible_text(element(page, "nav", "story__tags"))] == ["Cuba"]  # not "diplomacia"
    tag_page = site.read(tags[0]["href"].lstrip("/") + "index.html")
    assert hreflangs(tag_page)["es"].endswith("/cuba/")  # the glossary links the two tag pages
    figure = Tags(element(page, "figure", "story__image")).find("img")[0]
    assert figure["alt"] == "El Malecón de La Habana" and "malecon" in (figure["src"] or "")
    assert "El diálogo sigue" not in page  # the summary is the original's own
    assert hreflangs(page)["es"] == "https://example.org/es/world/cuba-y-ee-uu-el-dialogo-sigue/"


def test_translation_of_an_original_without_image_description_or_translatable_tags(make_site):
    original = article("Talks", authors="[Staff]", tags="[diplomacy]", image="/images/a.jpg")
    site = make_site({"content/americas/talks.en.md": original}, config=SECTIONS)
    assert new(site, "Diálogo", "--translation-of", "content/americas/talks.en.md").code == 0
    text = (site.root / "content/americas/talks.es.md").read_text("utf-8")
    comment = [line for line in text.splitlines() if line.startswith("#")]
    assert comment == [
        "# Inherited from content/americas/talks.en.md:",
        "# date: 2015-01-12T14:30:00-05:00",
        "# authors: [Staff]",
        "# image: /images/a.jpg",
        '# Not inherited: tag "diplomacy" has no Spanish spelling in [terms] of sitegen.toml: add '
        "it there,",
        "#   or give tags: here.",
        "# The image has no description: add image_alt: in Spanish.",
        "# Uncomment a field above to give this version its own instead.",
    ]
    assert "image_alt" not in parsed(site.root, "content/americas/talks.es.md").lines


def test_each_inherited_field_names_the_version_it_comes_from(make_site):
    config = SECTIONS.replace('["en", "es"]', '["en", "es", "fr"]') + \
        '\n[languages.fr]\ntitle = "La Poste"\n'
    site = make_site({
        "content/world/talks.en.md": article("Talks", authors="[Staff]"),
        "content/world/talks.es.md": article("Diálogo", date=None, sources="[EFE]",
                                             image="/images/a.jpg", image_alt="Una foto"),
    }, config=config)
    assert new(site, "Pourparlers", "--translation-of", "content/world/talks.en.md",
               "--lang", "fr").code == 0
    text = (site.root / "content/world/talks.fr.md").read_text("utf-8")
    assert [line for line in text.splitlines() if line.startswith("#")][:6] == [
        "# Inherited from content/world/talks.en.md:",
        "# date: 2015-01-12T14:30:00-05:00",
        "# authors: [Staff]",
        "# Inherited from content/world/talks.es.md:",
        "# sources: [EFE]",
        "# image: /images/a.jpg",
    ]
    assert "\nimage_alt: Una foto\n" in text  # the image's own description, to translate


def test_a_translation_in_a_section_spanish_urls_spell_in_spanish(make_site):
    config = SECTIONS.replace('sections = { mundo = "Mundo", americas = "Américas" }',
                              'sections = { mundo = "Mundo", economy = "Economía" }')
    site = make_site({"content/economy/prices.en.md": article("Prices"),
                      "content/economy/other.es.md": article("Precios")}, config=config)
    err = refused(site, "Precios", "--translation-of", "content/economy/prices.en.md")
    assert "its page /es/economia/precios/ is taken by content/economy/other.es.md" in err


def test_translated_from_is_the_originals_fingerprint(make_site):
    site = make_site({"content/world/dialogo.es.md": SPANISH_ONLY}, config=SECTIONS)
    assert new(site, "Talks Go On", "--translation-of", "content/world/dialogo.es.md").code == 0
    original = parsed(site.root, "content/world/dialogo.es.md")
    matter = frontmatter.split(SPANISH_ONLY, "content/world/dialogo.es.md")
    by_hand = staleness.fingerprint(matter.fields["title"], matter.body)
    assert original.fingerprint == by_hand
    assert parsed(site.root, "content/world/dialogo.en.md").translated_from == by_hand


def test_translation_of_an_english_story_defaults_to_spanish(make_site, monkeypatch):
    site = make_site({"content/americas/talks.en.md": article("Talks", sources="[AP]")},
                     config=SECTIONS)
    monkeypatch.chdir(site.root)  # FILE relative to the current folder, SITE the current one
    result = site.runner("new", "Diálogo", "--translation-of", "content/americas/talks.en.md")
    assert result.code == 0, result.err
    assert result.out == "content/americas/talks.es.md\n"
    translation = parsed(site.root, "content/americas/talks.es.md")
    assert (translation.lang, translation.section, translation.slug) == \
        ("es", "americas", "dialogo")
    assert translation.sources == ()  # inherited by the build, not copied
    assert "# sources: [AP]" in (site.root / "content/americas/talks.es.md").read_text("utf-8")
    assert translation.translation_key is None


def test_file_relative_to_the_current_folder_wins(make_site, monkeypatch, tmp_path):
    site = make_site({"content/americas/talks.en.md": article("Talks")}, config=SECTIONS)
    monkeypatch.chdir(site.root / "content")
    result = site.runner("new", "Diálogo", "-s", site.root, "--translation-of",
                         "americas/talks.en.md")
    assert result.code == 0, result.err
    assert (site.root / "content/americas/talks.es.md").is_file()


def test_original_without_language_suffix_pairs_by_name(make_site):
    site = make_site({"content/world/story.md": article("Hola", lang="es")}, config=SECTIONS)
    assert new(site, "Hello", "--translation-of", site.root / "content/world/story.md").code == 0
    assert parsed(site.root, "content/world/story.en.md").lang == "en"
    assert site.build("-j", "1", "--drafts").code == 0
    assert hreflangs(site.read("es/world/hola/index.html"))["en"] == \
        "https://example.org/en/world/hello/"


def test_original_in_a_deep_folder_with_its_own_section(make_site):
    site = make_site({"content/americas/cuba/2015/talks.es.md":
                      article("Diálogo", section="world")}, config=SECTIONS)
    assert new(site, "Talks", "--translation-of", "content/americas/cuba/2015/talks.es.md"
               ).code == 0
    assert parsed(site.root, "content/americas/cuba/2015/talks.en.md").section == "world"


def test_original_at_the_top_of_content_gives_its_section_by_inheritance(make_site):
    site = make_site({"content/talks.en.md": article("Talks", section="americas")},
                     config=SECTIONS)
    assert new(site, "Diálogo", "--translation-of", "content/talks.en.md").code == 0
    assert "section" not in parsed(site.root, "content/talks.es.md").lines
    assert "# section: americas" in (site.root / "content/talks.es.md").read_text("utf-8")
    assert site.build("-j", "1", "--drafts").code == 0
    assert "Diálogo" in site.read("es/americas/dialogo/index.html")


def test_section_option_overrides_the_originals(make_site):
    site = make_site({"content/world/talks.es.md": article("Diálogo")}, config=SECTIONS)
    assert new(site, "Talks", "--translation-of", "content/world/talks.es.md",
               "--section", "americas").code == 0
    translation = parsed(site.root, "content/world/talks.en.md")  # still beside the original
    assert translation.section == "americas"


def test_first_missing_language_in_configured_order(make_site):
    config = SECTIONS.replace('languages = ["en", "es"]', 'languages = ["en", "fr", "es"]')
    site = make_site({"content/world/talks.en.md": article("Talks"),
                      "content/world/talks.fr.md": article("Pourparlers")}, config=config)
    assert new(site, "Diálogo", "--translation-of", "content/world/talks.fr.md").code == 0
    assert parsed(site.root, "content/world/talks.es.md").lang == "es"


def test_lang_option_picks_among_the_missing_languages(make_site):
    config = SECTIONS.replace('languages = ["en", "es"]', 'languages = ["en", "es", "fr"]')
    site = make_site({"content/world/talks.en.md": article("Talks")}, config=config)
    assert new(site, "Pourparlers", "--translation-of", "content/world/talks.en.md",
               "--lang", "fr").code == 0
    assert parsed(site.root, "content/world/talks.fr.md").lang == "fr"
    assert not (site.root / "content/world/talks.es.md").exists()


def test_refuses_a_story_that_already_has_two_versions_in_one_language(make_site):
    site = make_site({"content/world/talks.en.md": article("Talks", translation_key="k"),
                      "content/americas/talks.en.md": article("Talks 2", translation_key="k")},
                     config=SECTIONS)
    err = refused(site, "Diálogo", "--translation-of", "content/world/talks.en.md")
    assert "duplicate translation" in err
    assert "content/world/talks.en.md" in err and "content/americas/talks.en.md" in err


def test_story_paired_by_key_across_folders_knows_its_versions(make_site):
    site = make_site({
        "content/world/talks.es.md": article("Diálogo", translation_key="talks-2015"),
        "content/americas/cuba-talks.en.md": article("Talks", translation_key="talks-2015"),
    }, config=SECTIONS)
    err = refused(site, "Talks", "--translation-of", "content/world/talks.es.md", "--lang", "en")
    assert "content/americas/cuba-talks.en.md: error: is already the 'en' version" in err


def test_duplicate_in_another_story_does_not_block_a_translation(make_site):
    site = make_site({
        "content/world/talks.es.md": article("Diálogo"),
        "content/world/a.en.md": article("One", translation_key="same"),
        "content/americas/b.en.md": article("Two", translation_key="same"),
    }, config=SECTIONS)
    assert new(site, "Talks", "--translation-of", "content/world/talks.es.md").code == 0


def test_refuses_a_translation_in_the_originals_language(make_site):
    site = make_site({"content/world/talks.es.md": article("Diálogo")}, config=SECTIONS)
    err = refused(site, "Otro", "--translation-of", "content/world/talks.es.md", "--lang", "es")
    assert "--lang: error: content/world/talks.es.md is itself the 'es' version" in err


def test_refuses_a_translation_into_an_unknown_language(make_site):
    site = make_site({"content/world/talks.es.md": article("Diálogo")}, config=SECTIONS)
    err = refused(site, "Talks", "--translation-of", "content/world/talks.es.md", "--lang", "de")
    assert "--lang: error: language 'de' is not configured" in err


def test_refuses_a_missing_original(make_site):
    site = make_site({}, config=SECTIONS)
    err = refused(site, "Talks", "--translation-of", "content/world/nope.es.md")
    assert "content/world/nope.es.md: error: no such file" in err


@pytest.mark.parametrize("rel", ["talks.es.md", "notes/talks.es.md", "content/world/.talks.es.md",
                                 "content/world/talks.es.txt"])
def test_refuses_an_original_that_is_not_an_article(make_site, rel):
    site = make_site({rel: article("Diálogo")}, config=SECTIONS)
    err = refused(site, "Talks", "--translation-of", rel)
    assert f"{rel}: error: not an article of this site" in err


def test_refuses_an_original_outside_the_site(make_site, tmp_path):
    site = make_site({}, config=SECTIONS)
    outside = tmp_path / "elsewhere.es.md"
    outside.write_text(article("Diálogo"), "utf-8")
    err = refused(site, "Talks", "--translation-of", outside)
    assert "not an article of this site" in err


def test_refuses_an_original_that_does_not_parse(make_site):
    site = make_site({"content/world/talks.es.md": article("Diálogo", tittle="x")},
                     config=SECTIONS)
    err = refused(site, "Talks", "--translation-of", "content/world/talks.es.md")
    assert "content/world/talks.es.md:4: error: unknown front matter key 'tittle'" in err


def test_refuses_to_overwrite_an_unparseable_file_in_the_way(make_site):
    site = make_site({"content/world/talks.es.md": article("Diálogo"),
                      "content/world/talks.en.md": "not an article\n"}, config=SECTIONS)
    err = refused(site, "Talks", "--translation-of", "content/world/talks.es.md")
    assert "content/world/talks.en.md: error: already exists" in err


def test_refuses_a_translation_whose_page_is_taken(make_site):
    site = make_site({"content/world/talks.es.md": article("Diálogo"),
                      "content/world/other.en.md": article("Talks")}, config=SECTIONS)
    err = refused(site, "Talks", "--translation-of", "content/world/talks.es.md")
    assert "its page /en/world/talks/ is taken by content/world/other.en.md" in err


def test_new_article_refusal_raises_build_failed(make_site):
    site = make_site({"content/world/talks.es.md": article("Diálogo")}, config=SECTIONS)
    with pytest.raises(BuildFailed) as failed:
        new_article(site.root, "Otro", lang="es", section=None,
                    translation_of=Path("content/world/talks.es.md"), now=NOW)
    assert [d.severity for d in failed.value.diagnostics] == ["error"]


# sitegen init ---------------------------------------------------------------------------------

EN_PAGE = "en/news/welcome-to-your-new-bilingual-site/index.html"
ES_PAGE = "es/noticias/bienvenido-a-su-nuevo-sitio-bilingue/index.html"


def test_init_makes_a_site_that_builds_at_once(tmp_path, run):
    folder = tmp_path / "newsroom" / "site"  # parents made too
    result = run("init", folder)
    assert result.code == 0, result.err
    files = set(tree(folder))
    assert {"sitegen.toml", ".gitignore", "README.md", "content/news/welcome.en.md",
            "content/news/welcome.es.md", "locales/messages.pot",
            "locales/es/LC_MESSAGES/messages.po", "themes/default/templates/article.html",
            "themes/default/static/css/site.css"} <= files
    assert not any("__pycache__" in f for f in files)
    assert (folder / ".gitignore").read_text("utf-8").split() == ["public/", ".sitegen-cache/"]

    assert run("build", "-s", folder, "-j", "1").code == 0
    out = folder / "public"
    en, es = (out / EN_PAGE).read_text("utf-8"), (out / ES_PAGE).read_text("utf-8")
    en_url = "https://example.org/" + EN_PAGE.removesuffix("index.html")
    es_url = "https://example.org/" + ES_PAGE.removesuffix("index.html")
    assert hreflangs(en) == {"en": en_url, "es": es_url, "x-default": en_url}
    assert hreflangs(es) == hreflangs(en)
    assert Tags(en).find("a", hreflang="es", rel="alternate")[0]["href"] == \
        "/" + ES_PAGE.removesuffix("index.html")
    assert Tags(es).find("a", hreflang="en", rel="alternate")[0]["href"] == \
        "/" + EN_PAGE.removesuffix("index.html")
    assert visible_text(element(en, "p", "story__sources")).startswith("Sources: ")
    assert visible_text(element(es, "p", "story__sources")).startswith("Fuentes: ")
    assert (out / "index.html").is_file()


def test_init_then_new_story_and_translation(tmp_path, run):
    folder = tmp_path / "site"
    init_site(folder)
    assert run("new", "Second Story", "-s", folder).code == 0
    assert run("new", "Segunda noticia", "-s", folder, "--translation-of",
               "content/news/second-story.en.md").code == 0
    assert run("build", "-s", folder, "-j", "1", "--drafts").code == 0
    es = (folder / "public/es/noticias/segunda-noticia/index.html").read_text("utf-8")
    assert hreflangs(es)["en"] == "https://example.org/en/news/second-story/"


def test_init_into_an_empty_folder_and_a_fresh_git_repository(tmp_path):
    (tmp_path / "empty").mkdir()
    init_site(tmp_path / "empty")
    assert (tmp_path / "empty/sitegen.toml").is_file()
    (tmp_path / "repo/.git").mkdir(parents=True)
    (tmp_path / "repo/.git/HEAD").write_text("ref: refs/heads/main\n")
    init_site(tmp_path / "repo")
    assert (tmp_path / "repo/sitegen.toml").is_file()
    assert (tmp_path / "repo/.git/HEAD").read_text() == "ref: refs/heads/main\n"


@pytest.mark.parametrize("present", ["notes.txt", ".gitignore", ".DS_Store", "content/a.en.md"])
def test_init_refuses_a_folder_with_something_in_it(tmp_path, run, present):
    folder = tmp_path / "site"
    (folder / present).parent.mkdir(parents=True, exist_ok=True)
    (folder / present).write_text("mine\n")
    before = tree(tmp_path)
    result = run("init", folder)
    assert result.code == 1
    assert f"{folder}: error: is not empty ({present.split('/')[0]})" in result.err
    assert tree(tmp_path) == before


def test_init_refuses_a_file(tmp_path, run):
    (tmp_path / "site").write_text("mine\n")
    result = run("init", tmp_path / "site")
    assert result.code == 1 and f"{tmp_path / 'site'}: error: is a file" in result.err
    assert tree(tmp_path) == {"site": b"mine\n"}


def test_init_refuses_a_path_under_a_file(tmp_path, run):
    (tmp_path / "notes").write_text("mine\n")
    result = run("init", tmp_path / "notes" / "site")
    assert result.code == 1 and "is a file, so no folder can be made in it" in result.err
    assert tree(tmp_path) == {"notes": b"mine\n"}


def test_init_lists_a_few_of_many_files(tmp_path):
    for name in "abcde":
        (tmp_path / name).write_text("")
    with pytest.raises(BuildFailed, match=r"is not empty \(a, b, c, …\)"):
        init_site(tmp_path)
