"""`sitegen check` and `sitegen status` on real sites, and stale translations in git and out of it."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CONFIG, Site, article, line_of, tree

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
        f"{EN}:{line_of(text, 'missing.png')}: error: broken image to /images/missing.png: no "
        "such page or file (images/missing.png)",
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

@pytest.fixture
def git(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    for name, value in (("GIT_AUTHOR_NAME", "Desk"), ("GIT_AUTHOR_EMAIL", "desk@example.org"),
                        ("GIT_COMMITTER_NAME", "Desk"),
                        ("GIT_COMMITTER_EMAIL", "desk@example.org")):
        monkeypatch.setenv(name, value)
    clock = iter(range(1_700_000_000, 1_800_000_000, 3600))

    def run(site: Site, *args: str) -> None:
        when = f"@{next(clock) if args[0] == 'commit' else 1_600_000_000} +0000"
        subprocess.run(["git", *args], cwd=site.root, check=True, capture_output=True,
                       env={**__import__("os").environ, "GIT_AUTHOR_DATE": when,
                            "GIT_COMMITTER_DATE": when})

    return run


def commit(git: Callable[..., None], site: Site, message: str) -> None:
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", message)


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
