"""`sitegen check` and `sitegen status` on real sites, and stale translations in git and out of it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CONFIG, Site, Tags, article, commit, hreflangs, line_of, local_file, tree

from sitegen.staleness import fingerprint

EN = "content/world/story.en.md"
ES = "content/world/story.es.md"
BODY_EN = "The port reopened on Friday.\n\nTrade resumed at once.\n"
BODY_ES = "El puerto reabrió el viernes.\n\nEl comercio se reanudó de inmediato.\n"


def story(title: str, body: str, **fields: str) -> str:
    fields.setdefault("sources", "[Reuters]")
    return article(title, body=body, **fields)


def pair(**es_fields: str) -> dict[str, str]:
    return {EN: story("Port Reopens", BODY_EN), ES: story("Reabre el puerto", BODY_ES, **es_fields)}


@pytest.fixture
def check(run: Callable[..., object]) -> Callable[..., object]:
    def checker(site: Site, *args: str):
        return run("check", "-s", site.root, *args)

    return checker


PUBLISHED = CONFIG.replace("https://example.org", "https://islandpost.com")
PLACEHOLDER = "sitegen.toml:2: warning: base_url is still https://example.org/"  # CONFIG's


def findings(text: str) -> list[str]:
    """The findings, but for the warning that CONFIG's example.org is a placeholder."""
    return [line for line in text.splitlines()
            if not line.startswith(("sitegen check:", PLACEHOLDER))]


# check: stories in one language -----------------------------------------------------------------

def test_lists_single_language_stories_as_notes_and_exits_0(make_site, check):
    site = make_site({**pair(),
                      "content/world/only-en.md": story("Only English", "Text.\n", lang="en"),
                      "content/culture/solo.es.md": story("Solo en español", "Texto.\n")},
                     config=PUBLISHED)
    result = check(site)
    assert result.code == 0, result
    assert findings(result.out) == [
        "content/culture/solo.es.md:1: info: only in Spanish: no English version yet (start one "
        "with `sitegen new TITLE --translation-of content/culture/solo.es.md`)",
        "content/world/only-en.md:1: info: only in English: no Spanish version yet (start one "
        "with `sitegen new TITLE --translation-of content/world/only-en.md`)",
    ]
    assert result.out.splitlines()[-1] == "sitegen check: 0 errors, 0 warnings, 2 notes"


def test_writes_nothing(make_site, check):
    site = make_site({**pair(), "content/bad.md": "---\ntitle: [\n---\n"})
    before = tree(site.root)
    assert check(site).code == 1
    assert tree(site.root) == before
    assert not (site.root / ".sitegen-cache").exists()


def test_json_has_the_same_fields(make_site, check):
    site = make_site({**pair(), "content/world/only.en.md": story("Alone", "[x](/en/nope/)\n")})
    result = check(site, "--format", "json")
    assert result.code == 1
    found = json.loads(result.out)
    assert {"path": "content/world/only.en.md", "line": 6, "severity": "error",
            "message": "broken link to /en/nope/: no such page or file (en/nope/index.html)"} \
        in found
    assert all(set(item) == {"path", "line", "severity", "message"} for item in found)
    assert {item["severity"] for item in found if item["path"] != "sitegen.toml"} == \
        {"error", "info"}


# check: errors -------------------------------------------------------------------------------------

def test_front_matter_errors_are_reported_with_the_rest(make_site, check):
    site = make_site({**pair(),
                      "content/world/bad.en.md": "---\ntitle: Bad\ndate: 2015-13-45\n---\nx\n",
                      "content/world/alone.en.md": story("Alone", "Text.\n")})
    result = check(site)
    assert result.code == 1
    assert "content/world/bad.en.md:3: error:" in result.out
    assert "content/world/alone.en.md:1: info: only in English" in result.out


def test_a_broken_configuration_is_an_error(make_site, check):
    site = make_site(pair(), config="[site]\nbase_url = 3\n")
    result = check(site)
    assert result.code == 1
    assert "sitegen.toml:2: error:" in result.out


def test_broken_links_and_images_name_file_and_line(make_site, check):
    body = ("Fine: [front](/en/), [feed](/en/feed.xml), [twin](../../../es/world/reabre-el-puerto/)"
            ", [tag](/en/tags/trade/), [map](/images/map.svg), [web](https://example.com/x), "
            "[mail](mailto:desk@example.org), [here](#top), "
            "[absolute](https://example.org/en/world/port-reopens/).\n\n"
            "Broken: [gone](/en/world/gone/)\n\n"
            "![Map of the port](/images/missing.png)\n\n"
            "[Old site](https://example.org/archive/2014/)\n")
    site = make_site({EN: story("Port Reopens", body, tags="[trade]"),
                      ES: story("Reabre el puerto", BODY_ES),
                      "static/images/map.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"})
    result = check(site)
    assert result.code == 1
    text = site.root.joinpath(EN).read_text()
    assert findings(result.out) == [
        f"{EN}:{line_of(text, 'Broken:')}: error: broken link to /en/world/gone/: no such page "
        "or file (en/world/gone/index.html)",
        f"{EN}:{line_of(text, 'missing.png')}: error: image '/images/missing.png' not found: "
        "there is no static/images/missing.png or content/images/missing.png",
        f"{EN}:{line_of(text, 'archive')}: error: broken link to "
        "https://example.org/archive/2014/: no such page or file (archive/2014/index.html)",
    ]


def test_a_link_to_a_draft_is_broken_for_readers_but_not_between_drafts(make_site, check):
    site = make_site({**pair(),
                      "content/world/plan.en.md": story("Plan", "Text.\n", draft="true"),
                      "content/world/plan.es.md": story("Plan", "Texto.\n", draft="true"),
                      "content/world/more.en.md": story("More", "See [plan](/en/world/plan/).\n",
                                                        draft="true"),
                      "content/world/more.es.md": story("Más", "Texto.\n", draft="true")})
    site.write(EN, story("Port Reopens", "See [the plan](/en/world/plan/).\n"))
    result = check(site)
    assert findings(result.out) == [
        f"{EN}:6: error: broken link to /en/world/plan/: the build will not write it "
        "(en/world/plan/index.html)"]


def test_two_articles_at_one_url(make_site, check):
    site = make_site({**pair(),
                      "content/world/copy.en.md": story("Copy", "Text.\n", slug="port-reopens"),
                      "content/world/copy.es.md": story("Copia", "Texto.\n")})
    result = check(site)
    assert result.code == 1
    assert ("content/world/story.en.md:2: error: same URL /en/world/port-reopens/ as "
            "content/world/copy.en.md:4: give one a different slug or section") in result.out
    assert ("content/world/copy.en.md:4: error: same URL /en/world/port-reopens/ as "
            "content/world/story.en.md:2: give one a different slug or section") in result.out


def test_duplicate_versions_are_an_error_and_the_rest_is_still_checked(make_site, check):
    site = make_site({**pair(),
                      "content/world/again.en.md": story("Again", "x\n",
                                                         translation_key="story",
                                                         slug="again"),
                      "content/world/alone.en.md": story("Alone", "Text.\n")})
    site.write(ES, story("Reabre el puerto", BODY_ES, translation_key="story"))
    result = check(site)
    assert result.code == 1
    assert "duplicate translation" in result.out
    assert "content/world/alone.en.md:1: info: only in English" in result.out


# check: warnings ------------------------------------------------------------------------------------

def test_images_without_alt_text_and_stories_without_sources(make_site, check):
    site = make_site({EN: article("Port Reopens", body="Text.\n\n![](/images/port.svg)\n",
                                  image="/images/port.svg"),
                      ES: article("Reabre el puerto", body="![Mapa](/images/port.svg)\n",
                                  image="/images/port.svg", image_alt="El puerto"),
                      "static/images/port.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"})
    result = check(site)
    assert result.code == 0
    assert findings(result.out) == [
        f"{EN}:1: warning: no sources: list the wire services or outlets the story is based on "
        "under `sources:`",
        f"{EN}:4: warning: the lead image has no image_alt: describe it for readers who cannot "
        "see it",
        f"{EN}:8: warning: image /images/port.svg has no alt text: write it between the "
        "brackets, ![like this](…)",
        f"{ES}:1: warning: no sources: list the wire services or outlets the story is based on "
        "under `sources:`",
    ]
    assert check(site, "--strict").code == 1


# check: what a translation inherits ---------------------------------------------------------------

def test_an_inherited_image_needs_a_description_in_the_versions_language(make_site, check):
    site = make_site({
        EN: story("Port Reopens", BODY_EN, image="/images/port.svg", image_alt="The port"),
        ES: story("Reabre el puerto", BODY_ES),  # inherits the image, not its description
        "content/world/fair.en.md": story("Fair", "Text.\n", image="/images/fair.svg"),
        "content/world/fair.es.md": story("Feria", "Texto.\n"),
        "content/world/dock.en.md": story("Dock", "Text.\n", image="/images/dock.svg",
                                          image_alt="The dock"),
        "content/world/dock.es.md": story("Muelle", "Texto.\n", image_alt="El muelle"),
        **{f"static/images/{name}.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"
           for name in ("port", "fair", "dock")},
    }, config=PUBLISHED)
    result = check(site)
    assert result.code == 0, result.out
    assert findings(result.out) == [
        "content/world/fair.en.md:4: warning: the lead image has no image_alt: describe it for "
        "readers who cannot see it",
        "content/world/fair.es.md:2: warning: inherits the lead image /images/fair.svg from "
        "content/world/fair.en.md but not its description, which is in another language: add "
        "image_alt: describing it in Spanish",
        f"{ES}:2: warning: inherits the lead image /images/port.svg from {EN} but not its "
        "description, which is in another language: add image_alt: describing it in Spanish "
        "(the original's: 'The port')",
    ]


# check: glossary suggestions ---------------------------------------------------------------------

def tagged(title: str, tags: str | None) -> str:
    return story(title, "Text.\n", **({"tags": tags} if tags is not None else {}))


def suggestions(text: str) -> list[str]:
    return [line for line in text.splitlines() if ": info: tags " in line]


TERMS = PUBLISHED + '\n[terms]\n"elections" = { es = "elecciones" }\n'


def test_suggests_terms_for_tags_that_mark_the_same_paired_stories(make_site, check):
    files = {}
    for n in range(3):
        files[f"content/world/s{n}.en.md"] = tagged(f"Story {n}", "[cuba, human rights]")
        files[f"content/world/s{n}.es.md"] = tagged(f"Noticia {n}", "[Cuba, derechos humanos]")
    files.update({
        # an entry of the glossary already joins these two
        "content/world/vote.en.md": tagged("Vote", "[elections, human rights]"),
        "content/world/vote.es.md": tagged("Voto", "[elecciones, derechos humanos]"),
        # a translation that gives no tags of its own is no evidence
        "content/world/quiet.en.md": tagged("Quiet", "[baseball]"),
        "content/world/quiet.es.md": tagged("Tranquilo", None),
        # stories in one language only pair nothing
        "content/world/solo.en.md": tagged("Solo", "[sugar]"),
        "content/world/sola.es.md": tagged("Sola", "[azúcar]"),
    })
    site = make_site(files, config=TERMS)
    result = check(site)
    assert result.code == 0, result.out
    terms = line_of(TERMS, "[terms]")
    assert suggestions(result.out) == [
        f'sitegen.toml:{terms}: info: tags "cuba" (en) and "Cuba" (es) mark the same 3 paired '
        'stories (content/world/s0.en.md, …): add "cuba" = { es = "Cuba" } to [terms] so their '
        "pages link to each other",
        f'sitegen.toml:{terms}: info: tags "human rights" (en) and "derechos humanos" (es) mark '
        'the same 4 paired stories (content/world/s0.en.md, …): add "human rights" = { es = '
        '"derechos humanos" } to [terms] so their pages link to each other',
    ]

    # Pasted as they are, the lines link the tag pages and the suggestions are gone.
    pasted = [line.split(": add ")[1].split(" to [terms]")[0] for line in suggestions(result.out)]
    site.write("sitegen.toml", TERMS + "".join(f"{line}\n" for line in pasted))
    again = check(site)
    assert again.code == 0 and suggestions(again.out) == []
    assert site.build("-j", "1").code == 0
    en = Tags(site.read("en/world/story-0/index.html"))
    tag_page = next(a["href"] for a in en.find("a") if "human-rights" in (a["href"] or ""))
    alternates = hreflangs(local_file(site.public, tag_page).read_text("utf-8"))
    assert "derechos-humanos" in alternates["es"]


def test_an_identical_spelling_wins_and_each_tag_is_suggested_once(make_site, check):
    site = make_site({
        "content/world/a.en.md": tagged("Havana", "[havana, cuba]"),
        "content/world/a.es.md": tagged("La Habana", "[Cuba, La Habana, béisbol]"),
        # "béisbol" marks both stories "cuba" marks, but "Cuba" is spelled the same
        "content/world/b.en.md": tagged("Game", "[cuba]"),
        "content/world/b.es.md": tagged("Juego", "[béisbol]"),
    }, config=PUBLISHED)
    assert suggestions(check(site).out) == [
        'sitegen.toml: info: tags "cuba" (en) and "Cuba" (es) are used together in 1 paired '
        'story (content/world/a.en.md): add "cuba" = { es = "Cuba" } to a [terms] table in '
        "sitegen.toml so their pages link to each other",
        'sitegen.toml: info: tags "havana" (en) and "La Habana" (es) mark the same paired story '
        '(content/world/a.en.md): add "havana" = { es = "La Habana" } to a [terms] table in '
        "sitegen.toml so their pages link to each other",
    ]


def test_tags_used_together_by_chance_are_not_suggested(make_site, check):
    files = {"content/world/hr.en.md": tagged("Rights", "[human rights]"),
             "content/world/hr.es.md": tagged("Derechos", "[derechos humanos, béisbol]"),
             # "havana" marks one story of the four "deportes" marks, and has no other partner
             "content/sports/h.en.md": tagged("Havana", "[havana]"),
             "content/sports/h.es.md": tagged("La Habana", "[deportes]")}
    for n in range(3):  # "human rights" marks one story of the four "béisbol" marks
        files[f"content/sports/b{n}.en.md"] = tagged(f"Game {n}", "[baseball]")
        files[f"content/sports/b{n}.es.md"] = tagged(f"Juego {n}", "[béisbol, deportes]")
    site = make_site(files, config=PUBLISHED)
    found = suggestions(check(site).out)
    assert [line.split(": add ")[1].split(" to ")[0] for line in found] == [
        '"baseball" = { es = "béisbol" }', '"human rights" = { es = "derechos humanos" }']
    # "béisbol" marks one story more than "baseball" does
    assert 'tags "baseball" (en) and "béisbol" (es) are used together in 3 paired stories ' \
        "(content/sports/b0.en.md, …)" in found[0]


def test_no_suggestion_where_one_side_is_in_the_glossary(make_site, check):
    config = PUBLISHED + '\n[terms]\n"human rights" = { es = "derechos humanos" }\n'
    site = make_site({
        "content/world/a.en.md": tagged("Rights", "[human rights]"),
        "content/world/a.es.md": tagged("Derechos", "[DDHH]"),
        "content/world/b.en.md": tagged("Rights again", "[HR]"),
        "content/world/b.es.md": tagged("Derechos otra vez", "[Derechos Humanos]"),
    }, config=config)
    result = check(site)
    assert result.code == 0 and suggestions(result.out) == []


def test_three_languages_get_one_line_per_term(make_site, check):
    config = (PUBLISHED.replace('["en", "es"]', '["en", "es", "fr"]')
              + '\n[languages.fr]\ntitle = "La Poste"\n')
    files = {}
    for n in range(2):
        files[f"content/world/r{n}.en.md"] = tagged(f"Rights {n}", "[human rights]")
        files[f"content/world/r{n}.es.md"] = tagged(f"Derechos {n}", "[derechos humanos]")
    files["content/world/r0.fr.md"] = tagged("Droits", "[droits humains]")
    site = make_site(files, config=config)
    assert [line.split(": info: ")[1] for line in suggestions(check(site).out)] == [
        'tags "human rights" (en), "derechos humanos" (es) and "droits humains" (fr) are used '
        "together in paired stories (2 in English and Spanish, 1 in English and French) "
        '(content/world/r0.en.md, …): add "human rights" = { es = "derechos humanos", fr = '
        '"droits humains" } to a [terms] table in sitegen.toml so their pages link to each other',
    ]

    # Once the entry has its Spanish spelling, it is given the French one; so is an entry
    # spelled alike in French.
    with_terms = config + ('\n[terms]\n"human rights" = { es = "derechos humanos" }\n'
                           '"jazz" = { es = "jazz" }\n')
    site.write("sitegen.toml", with_terms)
    site.write("content/world/j.en.md", tagged("Jazz", "[jazz]"))
    site.write("content/world/j.fr.md", tagged("Jazz", "[Jazz]"))
    assert suggestions(check(site).out) == [
        f'sitegen.toml:{line_of(with_terms, "human rights")}: info: tags "human rights" (en, in '
        '[terms]) and "droits humains" (fr) mark the same paired story (content/world/r0.en.md): '
        'give the entry its French spelling, as "human rights" = { es = "derechos humanos", '
        'fr = "droits humains" }, so their pages link to each other',
        f'sitegen.toml:{line_of(with_terms, "jazz")}: info: tags "jazz" (en, in [terms]) and '
        '"Jazz" (fr) mark the same paired story (content/world/j.en.md): give the entry its '
        'French spelling, as "jazz" = { es = "jazz", fr = "Jazz" }, so their pages link to each '
        "other",
    ]


# Stale translations by translated_from ------------------------------------------------------------

def test_translated_from_that_still_matches_is_fresh(make_site, check):
    site = make_site(pair(translated_from=fingerprint("Port Reopens", BODY_EN)),
                     config=PUBLISHED)
    result = check(site, "--strict")
    assert result.code == 0, result.out
    assert site.build().code == 0
    assert "story__notice" not in site.read("es/world/reabre-el-puerto/index.html")


def test_a_changed_original_makes_its_translation_stale_and_says_so_on_the_page(make_site,
                                                                                 check):
    site = make_site(pair(translated_from=fingerprint("Port Reopens", BODY_EN)))
    corrected = BODY_EN + "\nA correction.\n"
    site.write(EN, story("Port Reopens", corrected))
    result = check(site)
    assert result.code == 0
    text = site.root.joinpath(ES).read_text()
    assert findings(result.out) == [
        f"{ES}:{line_of(text, 'translated_from')}: warning: stale translation: its original "
        f"{EN} changed after it was translated (translated_from: "
        f"{fingerprint('Port Reopens', BODY_EN)} no longer matches; once it is brought up to "
        f"date, set translated_from: {fingerprint('Port Reopens', corrected)}) "
        "(found by translated_from)"]
    assert check(site, "--strict").code == 1

    assert site.build().code == 0
    notice = site.read("es/world/reabre-el-puerto/index.html")
    assert ('<p class="story__notice" role="note">Esta traducción puede estar desactualizada: '
            '<a href="/en/world/port-reopens/">el original en inglés</a> se ha actualizado desde '
            'entonces.</p>') in notice
    assert "story__notice" not in site.read("en/world/port-reopens/index.html")


def test_whitespace_and_front_matter_changes_do_not_make_a_translation_stale(make_site, check):
    site = make_site(pair(translated_from=fingerprint("Port Reopens", BODY_EN)))
    site.write(EN, story("Port Reopens", BODY_EN.replace("\n", "  \r\n"), tags="[trade]"))
    assert "stale" not in check(site).out


def test_the_notice_has_no_link_when_the_original_is_not_published(make_site):
    site = make_site(pair(translated_from="0000000000000000"))
    site.write(EN, story("Port Reopens", BODY_EN, draft="true"))
    assert site.build().code == 0
    page = site.read("es/world/reabre-el-puerto/index.html")
    assert ('<p class="story__notice" role="note">Esta traducción puede estar desactualizada: el '
            'original en inglés se ha actualizado desde entonces.</p>') in page


# Stale translations by git history ----------------------------------------------------------------

def test_git_history_finds_the_translation_behind_its_original(make_site, check, git):
    site = make_site(pair())
    site.write(".gitignore", "public/\n.sitegen-cache/\n")
    git(site, "init", "-q")
    commit(git, site, "A story in both languages")
    assert "stale" not in check(site).out

    site.write(EN, story("Port Reopens", BODY_EN + "\nA correction.\n"))
    result = check(site)
    assert re.search(rf"^{ES}:1: warning: stale translation: its original {EN} changed in the "
                     r"working copy \(not committed yet\), after this translation's last change "
                     r"in commit [0-9a-f]{10} of 2023-11-14 22:13 UTC \(found by git history\)$",
                     result.out, re.M)

    commit(git, site, "Correct the English original")
    result = check(site)
    assert re.search(rf"^{ES}:1: warning: stale translation: its original {EN} changed in "
                     r"commit [0-9a-f]{10} of 2023-11-14 23:13 UTC, after this translation's last "
                     r"change in commit [0-9a-f]{10} of 2023-11-14 22:13 UTC \(found by git "
                     r"history\)$", result.out, re.M)
    assert site.build().code == 0
    assert "story__notice" in site.read("es/world/reabre-el-puerto/index.html")

    site.write(ES, story("Reabre el puerto", BODY_ES + "\nUna corrección.\n"))
    commit(git, site, "Bring the Spanish version up to date")
    assert "stale" not in check(site).out
    assert site.build().code == 0
    assert "story__notice" not in site.read("es/world/reabre-el-puerto/index.html")


def test_of_versions_added_together_the_default_language_is_the_original(make_site, check, git):
    site = make_site(pair(), config=CONFIG.replace('["en", "es"]', '["es", "en"]'))
    git(site, "init", "-q")
    commit(git, site, "A story in both languages")
    site.write(ES, story("Reabre el puerto", BODY_ES + "\nUna corrección.\n"))
    commit(git, site, "Fix the translation")
    assert "stale" not in check(site).out
    site.write(EN, story("Port Reopens", BODY_EN + "\nA correction.\n"))
    site.write(ES, story("Reabre el puerto", BODY_ES))
    commit(git, site, "Correct the original, undo the fix")
    assert "stale" not in check(site).out  # changed in the same commit: in step
    site.write(EN, story("Port Reopens", BODY_EN))
    commit(git, site, "Correct the original again")
    assert f"{ES}:1: warning: stale translation: its original {EN} changed in commit" \
        in check(site).out


def test_in_git_the_version_added_first_is_the_original(make_site, check, git):
    site = make_site({ES: story("Reabre el puerto", BODY_ES)})
    git(site, "init", "-q")
    commit(git, site, "La historia")
    site.write(EN, story("Port Reopens", BODY_EN))
    commit(git, site, "Its translation")
    assert "stale" not in check(site).out
    site.write(EN, story("Port Reopens", BODY_EN + "\nA fix in the translation.\n"))
    commit(git, site, "Fix the translation")
    assert "stale" not in check(site).out
    site.write(ES, story("Reabre el puerto", BODY_ES + "\nUna corrección.\n"))
    commit(git, site, "Correct the original")
    assert f"{EN}:1: warning: stale translation: its original {ES} changed in commit" \
        in check(site).out


def test_new_files_not_yet_in_git_are_judged_by_translated_from(make_site, check, git):
    site = make_site({"content/world/other.en.md": story("Other", "x\n"),
                      "content/world/other.es.md": story("Otra", "x\n")})
    git(site, "init", "-q")
    commit(git, site, "Another story")
    site.write(EN, story("Port Reopens", BODY_EN))
    site.write(ES, story("Reabre el puerto", BODY_ES, translated_from="0000000000000000"))
    assert "(found by translated_from)" in check(site).out


# status -------------------------------------------------------------------------------------------

def test_status_table_and_counts(make_site, run):
    site = make_site({
        **pair(translated_from="0000000000000000"),
        "content/world/draft.en.md": story("Draft", "x\n", draft="true"),
        "content/world/draft.es.md": story("Borrador", "x\n"),
        "content/world/later.es.md": story("Luego", "x\n", date="2030-01-01"),
        "content/world/broken.en.md": "---\ntitle: [\n---\n",
    })
    result = run("status", "-s", site.root)
    assert result.code == 0
    assert result.out.splitlines() == [
        "story        en         es",
        "world/later  missing    scheduled",
        "world/draft  draft      published",
        "world/story  published  stale",
        "",
        "        published      draft  scheduled      stale    missing",
        "en              1          1          0          0          1",
        "es              1          0          1          1          0",
        "",
        "1 problem kept some files out of this table; `sitegen check` lists them",
    ]


def test_status_of_a_site_without_configuration_is_an_error(tmp_path: Path, run):
    result = run("status", "-s", tmp_path)
    assert result.code == 1
    assert "error:" in result.err
