"""URLs that change keep working (SPEC 6.4): aliases, and every URL a published version had in
the site's git history, redirect to its page, in `_redirects` and as a page at the old URL."""

from __future__ import annotations

import http.client
import re
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Site, Tags, article, commit, line_of, meta, tree

from sitegen import config as site_config
from sitegen.commands.serve import Handler, HostCheck, Preview, PreviewServer, moves_of
from sitegen.content import ParseSettings, parse
from sitegen.history import facts_of, url_facts, url_of

EN = "content/economy/sugar.en.md"
ES = "content/economy/sugar.es.md"
CONFIG = """\
[site]
base_url = "https://example.org"
default_language = "en"
languages = ["en", "es"]
timezone = "America/Havana"
theme = "default"

[languages.en]
title = "The Island Post"
sections = { americas = "Americas", economy = "Economy" }

[languages.es]
title = "El Post de la Isla"
sections = { americas = "Américas", economy = "Economía" }
"""
GIT_IGNORE = "public/\n.sitegen-cache/\n"
REFRESH = {"http-equiv": "refresh"}


@pytest.fixture
def repo(make_site: Callable[..., Site], git: Callable[..., str]) -> Callable[..., Site]:
    """repo({path: text}) -> a site in a new git repository, its files committed once."""

    def factory(files: dict[str, str], name: str = "site") -> Site:
        site = make_site({".gitignore": GIT_IGNORE, **files}, config=CONFIG, name=name)
        git(site, "init", "-q")
        commit(git, site, "Publish")
        return site

    return factory


def rules(site: Site, out: Path | None = None) -> list[str]:
    return site.read("_redirects", out).splitlines()


def sugar(title: str = "Sugar Harvest Falls", **fields: str) -> str:
    return article(title, "2015-01-12", **fields)


def azucar(title: str = "Cae la zafra", **fields: str) -> str:
    return article(title, "2015-01-12", **fields)


# From the git history ---------------------------------------------------------------------------

def test_a_corrected_headline_redirects_its_old_url(repo, git):
    site = repo({EN: sugar(), ES: azucar()})
    site.write(EN, sugar("Sugar Harvest Falls Sharply"))
    commit(git, site, "Correct the headline")
    result = site.build()
    assert result.code == 0, result.err
    assert rules(site) == [("/en/economy/sugar-harvest-falls/ "
                           "/en/economy/sugar-harvest-falls-sharply/ 301")]
    page = site.read("en/economy/sugar-harvest-falls/index.html")
    tags = Tags(page)
    assert tags.find("meta", **REFRESH)[0]["content"] == \
        "0; url=/en/economy/sugar-harvest-falls-sharply/"
    assert tags.find("link", rel="canonical")[0]["href"] == \
        "https://example.org/en/economy/sugar-harvest-falls-sharply/"
    assert meta(page, "robots") == ["noindex"]
    assert tags.find("html")[0]["lang"] == "en"
    assert tags.find("a", href="/en/economy/sugar-harvest-falls-sharply/")
    assert "Sugar Harvest Falls Sharply" in tags.text
    assert "sugar-harvest-falls/" not in site.read("sitemap.xml")
    assert "sugar-harvest-falls-sharply/" in site.read("sitemap.xml")


def test_a_story_moved_to_another_section_redirects_in_both_languages(repo, git):
    site = repo({EN: sugar(), ES: azucar()})
    git(site, "mv", "content/economy", "content/americas")
    commit(git, site, "Move the story to Americas")
    assert site.build().code == 0
    assert rules(site) == [
        "/en/economy/sugar-harvest-falls/ /en/americas/sugar-harvest-falls/ 301",
        "/es/economia/cae-la-zafra/ /es/americas/cae-la-zafra/ 301",  # the labels' slugs
    ]
    spanish = Tags(site.read("es/economia/cae-la-zafra/index.html"))
    assert spanish.find("html")[0]["lang"] == "es"
    assert spanish.find("link", rel="canonical")[0]["href"] == \
        "https://example.org/es/americas/cae-la-zafra/"


def test_a_changed_slug_redirects_and_every_earlier_url_leads_straight_to_the_page(repo, git):
    site = repo({EN: sugar(slug="sugar")})
    site.write(EN, sugar(slug="sugar-harvest"))
    commit(git, site, "A better slug")
    site.write(EN, sugar("Sugar Harvest Falls Sharply", slug="the-sugar-harvest"))
    commit(git, site, "And another")
    assert site.build().code == 0
    assert rules(site) == [
        "/en/economy/sugar-harvest/ /en/economy/the-sugar-harvest/ 301",
        "/en/economy/sugar/ /en/economy/the-sugar-harvest/ 301",
    ]


def test_a_file_renamed_without_its_translation_key_is_followed_by_git(repo, git):
    site = repo({"content/economy/zafra.en.md": sugar()})
    git(site, "mv", "content/economy/zafra.en.md", "content/economy/harvest.en.md")
    site.write("content/economy/harvest.en.md", sugar("The Harvest Falls"))
    commit(git, site, "Rename and retitle")
    assert site.build().code == 0
    assert rules(site) == ["/en/economy/sugar-harvest-falls/ /en/economy/the-harvest-falls/ 301"]


def test_a_version_rewritten_in_a_new_file_is_found_by_its_translation_key(repo, git):
    site = repo({EN: sugar(translation_key="sugar-2015"), ES: azucar(translation_key="sugar-2015")})
    (site.root / EN).unlink()
    site.write("content/americas/cane.en.md",
               article("Cane Growers Count Their Losses", "2015-01-12",
                       body="A new text altogether.\n", translation_key="sugar-2015"))
    commit(git, site, "Rewrite the English story")
    assert site.build().code == 0
    assert rules(site) == [("/en/economy/sugar-harvest-falls/ "
                           "/en/americas/cane-growers-count-their-losses/ 301")]


def test_a_translation_that_takes_its_section_follows_the_original_of_the_same_commit(repo,
                                                                                       git):
    """The Spanish file never changes: its URL moves with the section it takes."""
    site = repo({"content/sugar.en.md": sugar(section="economy"),
                 "content/sugar.es.md": azucar()})
    assert site.build().code == 0
    assert (site.public / "es/economia/cae-la-zafra/index.html").is_file()
    site.write("content/sugar.en.md", sugar(section="americas"))
    commit(git, site, "Move the story")
    assert site.build().code == 0
    assert rules(site) == [
        "/en/economy/sugar-harvest-falls/ /en/americas/sugar-harvest-falls/ 301",
        "/es/economia/cae-la-zafra/ /es/americas/cae-la-zafra/ 301",
    ]


def test_drafts_and_versions_not_yet_out_leave_no_redirect(repo, git):
    site = repo({EN: sugar("Working Title", draft="true"),
                 "content/economy/embargo.en.md": article("Embargoed Headline", "2024-06-01")})
    site.write(EN, sugar())
    site.write("content/economy/embargo.en.md", article("Final Headline", "2024-06-01"))
    commit(git, site, "Publish the story, fix the embargoed headline before it is out")
    assert site.build().code == 0
    assert not (site.public / "_redirects").exists()
    assert not (site.public / "en/economy/working-title").exists()
    assert not (site.public / "en/economy/embargoed-headline").exists()


def test_a_draft_now_is_not_a_redirect_target(repo, git):
    site = repo({EN: sugar()})
    site.write(EN, sugar("Sugar Harvest Falls Sharply", draft="true"))
    commit(git, site, "Back to the desk")
    assert site.build().code == 0
    assert not (site.public / "_redirects").exists()
    assert site.build("--drafts").code == 0
    assert rules(site) == [("/en/economy/sugar-harvest-falls/ "
                           "/en/economy/sugar-harvest-falls-sharply/ 301")]


def test_an_uncommitted_headline_change_redirects_the_committed_url(repo):
    site = repo({EN: sugar()})
    site.write(EN, sugar("Sugar Harvest Falls Sharply"))
    assert site.build().code == 0
    assert rules(site) == [("/en/economy/sugar-harvest-falls/ "
                           "/en/economy/sugar-harvest-falls-sharply/ 301")]


def test_an_old_url_a_new_story_took_is_that_storys_page(repo, git):
    site = repo({EN: sugar()})
    site.write(EN, sugar("Sugar Harvest Falls Sharply"))
    commit(git, site, "Correct the headline")
    site.write("content/economy/another.en.md", article("Sugar Harvest Falls", "2016-01-01",
                                                       body="Again.\n"))
    commit(git, site, "A year later")
    result = site.build()
    assert result.code == 0, result.err
    assert "warning" not in result.err
    assert not (site.public / "_redirects").exists()
    assert "Again." in site.read("en/economy/sugar-harvest-falls/index.html")


def test_of_two_versions_that_had_one_url_the_last_to_have_it_wins(repo, git):
    site = repo({EN: sugar()})
    site.write(EN, sugar("Sugar Harvest Falls Sharply"))
    commit(git, site, "Correct the headline")
    site.write("content/economy/another.en.md", article("Sugar Harvest Falls", "2016-01-01"))
    commit(git, site, "A year later")
    site.write("content/economy/another.en.md", article("Sugar Harvest Falls Again",
                                                       "2016-01-01"))
    commit(git, site, "Correct that one too")
    assert site.build().code == 0
    assert rules(site) == [
        "/en/economy/sugar-harvest-falls/ /en/economy/sugar-harvest-falls-again/ 301"]


def test_an_old_url_that_is_now_a_section_page_stays_the_section_page(repo, git):
    site = repo({"content/economy.en.md": article("Economy", "2015-01-12")})  # at /en/economy/
    site.write("content/economy.en.md", article("Economy", "2015-01-12", slug="economy-story"))
    site.write(EN, sugar())
    commit(git, site, "The section's first story: its page takes the place")
    result = site.build()
    assert result.code == 0, result.err
    assert "content/economy.en.md: its earlier URL /en/economy/ (until commit" in result.err
    assert "is now the section page /en/economy/, which keeps it" in result.err
    assert not (site.public / "_redirects").exists()


def test_a_shallow_clone_redirects_what_its_history_holds_and_says_so(repo, git, tmp_path):
    site = repo({EN: sugar()})
    site.write(EN, sugar("Sugar Harvest Falls Sharply"))
    commit(git, site, "Correct the headline")
    site.write(EN, sugar("Sugar Harvest Falls Again"))
    commit(git, site, "Correct it again")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{site.root}", str(clone))
    result = site.runner("build", "-s", str(clone))
    assert result.code == 0, result.err
    assert rules(site, clone / "public") == [
        "/en/economy/sugar-harvest-falls-sharply/ /en/economy/sugar-harvest-falls-again/ 301"]
    assert result.err.count("sitegen: warning:") == 1
    assert "URLs that articles had before its oldest commit" in result.err
    assert "git fetch --unshallow" in result.err


def test_a_clone_of_depth_one_builds_without_redirects(repo, git, tmp_path):
    site = repo({EN: sugar()})
    site.write(EN, sugar("Sugar Harvest Falls Sharply"))
    commit(git, site, "Correct the headline")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{site.root}", str(clone))
    result = site.runner("build", "-s", str(clone))
    assert result.code == 0, result.err
    assert not (clone / "public" / "_redirects").exists()
    assert "shallow" in result.err


def test_a_site_in_a_subfolder_of_its_repository(make_site, git, tmp_path):
    site = make_site({EN: sugar()}, config=CONFIG, name="newsroom/site")
    git(tmp_path / "newsroom", "init", "-q")
    (tmp_path / "newsroom" / ".gitignore").write_text("public/\n.sitegen-cache/\n")
    git(tmp_path / "newsroom", "add", "-A")
    git(tmp_path / "newsroom", "commit", "-q", "-m", "Publish")
    site.write(EN, sugar("Sugar Harvest Falls Sharply"))
    git(tmp_path / "newsroom", "commit", "-q", "-a", "-m", "Correct the headline")
    assert site.build().code == 0
    assert rules(site) == [("/en/economy/sugar-harvest-falls/ "
                           "/en/economy/sugar-harvest-falls-sharply/ 301")]


# Aliases ------------------------------------------------------------------------------------------

def test_aliases_redirect_without_git(make_site):
    site = make_site({EN: sugar(aliases="[/en/old-sugar/, /archive/2015/sugar.html]")},
                     config=CONFIG)
    result = site.build()
    assert result.code == 0, result.err
    assert rules(site) == [
        "/archive/2015/sugar.html /en/economy/sugar-harvest-falls/ 301",
        "/en/old-sugar/ /en/economy/sugar-harvest-falls/ 301",
    ]
    for file in ("archive/2015/sugar.html", "en/old-sugar/index.html"):
        page = site.read(file)
        tags = Tags(page)
        assert tags.find("meta", **REFRESH)[0]["content"] == \
            "0; url=/en/economy/sugar-harvest-falls/"
        # A page a reader may see for a moment: one main landmark and a heading (axe).
        assert len(tags.find("main")) == 1 and len(tags.find("h1")) == 1
        assert re.search(r'<h1><a href="/en/economy/sugar-harvest-falls/">[^<]+</a></h1>', page)


def test_no_redirects_no_redirect_rules(make_site):
    site = make_site({EN: sugar()}, config=CONFIG)
    assert site.build().code == 0
    assert not (site.public / "_redirects").exists()


def test_redirects_follow_a_base_url_with_a_path(make_site):
    site = make_site({EN: sugar(aliases="[/en/old-sugar/]")}, config=CONFIG)
    assert site.build("--base-url", "https://example.org/news/").code == 0
    assert rules(site) == ["/news/en/old-sugar/ /news/en/economy/sugar-harvest-falls/ 301"]
    tags = Tags(site.read("en/old-sugar/index.html"))
    assert tags.find("link", rel="canonical")[0]["href"] == \
        "https://example.org/news/en/economy/sugar-harvest-falls/"


def test_the_sites_own_redirect_rules_come_first(make_site):
    own = "/old-home /en/ 302\n/feed /en/feed.xml 301\n"
    site = make_site({EN: sugar(aliases="[/en/old-sugar/]"), "static/_redirects": own},
                     config=CONFIG)
    assert site.build().code == 0
    assert site.read("_redirects") == own + \
        "/en/old-sugar/ /en/economy/sugar-harvest-falls/ 301\n"
    site.write(EN, sugar())
    assert site.build().code == 0
    assert site.read("_redirects") == own  # copied as it is


def test_an_alias_of_another_page_is_an_error_naming_both_and_nothing_changes(make_site):
    other = "content/economy/rum.en.md"
    site = make_site({EN: sugar(), other: article("Rum Exports Rise", "2015-01-12")},
                     config=CONFIG)
    assert site.build().code == 0
    before = tree(site.public)
    text = sugar(aliases="\n  - /en/old-sugar/\n  - /en/economy/rum-exports-rise/")
    site.write(EN, text)
    result = site.build()
    assert result.code == 1
    assert f"{EN}:{line_of(text, 'rum-exports-rise')}: error: alias " \
           f"/en/economy/rum-exports-rise/ would replace the page of {other}:2" in result.err
    assert tree(site.public) == before


def test_an_alias_of_a_section_page_or_a_static_file_is_an_error(make_site):
    text = sugar(aliases="[/en/economy/, /favicon.ico]")
    site = make_site({EN: text, "static/favicon.ico": "icon"}, config=CONFIG)
    result = site.build()
    assert result.code == 1
    line = line_of(text, "aliases")
    assert f"{EN}:{line}: error: alias /en/economy/ would replace the section page " \
           "/en/economy/" in result.err
    assert f"{EN}:{line}: error: alias /favicon.ico would replace static/favicon.ico" \
        in result.err


def test_an_alias_in_the_way_of_a_file_or_folder_is_an_error(make_site):
    text = sugar(aliases="[/robots.txt/old/, /en/economy/rum-1.5, /en/economy/sugar-harvest-"
                         "falls/index.html]")
    site = make_site({EN: text, "content/economy/rum.en.md": article("Rum", "2015-01-12",
                                                                     slug="rum-1.5")},
                     config=CONFIG)
    result = site.build()
    assert result.code == 1
    line = line_of(text, "aliases")
    assert f"{EN}:{line}: error: alias /robots.txt/old/ cannot be written where the site has " \
           "the file /robots.txt: remove it" in result.err
    assert f"{EN}:{line}: error: alias /en/economy/rum-1.5 cannot be written where the site " \
           "has the folder /en/economy/rum-1.5/: remove it" in result.err
    assert result.err.count("error:") == 2  # its own page's file is no redirect


def test_two_versions_with_one_alias_is_an_error_in_both(make_site):
    other = "content/economy/rum.en.md"
    site = make_site({EN: sugar(aliases="[/en/old/]"),
                      other: article("Rum Exports Rise", "2015-01-12", aliases="[/en/old/]")},
                     config=CONFIG)
    result = site.build()
    assert result.code == 1
    assert f"{EN}:4: error: alias /en/old/ is also an alias of {other}:4" in result.err
    assert f"{other}:4: error: alias /en/old/ is also an alias of {EN}:4" in result.err


def test_an_alias_wins_over_the_history(repo, git):
    site = repo({EN: sugar(), "content/economy/rum.en.md": article("Rum", "2015-01-12")})
    site.write(EN, sugar("Sugar Harvest Falls Sharply"))
    site.write("content/economy/rum.en.md",
               article("Rum", "2015-01-12", aliases="[/en/economy/sugar-harvest-falls/]"))
    commit(git, site, "Correct the headline; the old URL goes to another story")
    assert site.build().code == 0
    assert rules(site) == ["/en/economy/sugar-harvest-falls/ /en/economy/rum/ 301"]


def test_check_reports_an_alias_of_another_page(make_site, run):
    other = "content/economy/rum.en.md"
    site = make_site({EN: sugar(aliases="[/en/economy/rum-exports-rise/]"),
                      other: article("Rum Exports Rise", "2015-01-12")}, config=CONFIG)
    result = run("check", "-s", str(site.root))
    assert result.code == 1
    assert f"{EN}:4: error: alias /en/economy/rum-exports-rise/ would replace the page of " \
           f"{other}:2" in result.out


# What it costs --------------------------------------------------------------------------------

@pytest.fixture
def git_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The git subcommands run since the list was last cleared (`log`, `cat-file`, ...)."""
    calls: list[str] = []
    real = subprocess.run

    def spy(args: Any, *rest: Any, **options: Any) -> Any:
        if isinstance(args, list) and args[:1] == ["git"]:
            words = args[1:]
            while words[:1] in (["-C"], ["-c"]):
                words = words[2:]
            calls.append(words[0])
        return real(args, *rest, **options)

    monkeypatch.setattr(subprocess, "run", spy)
    return calls


def test_history_is_read_once_and_each_blob_once(repo, git, git_calls):
    site = repo({EN: sugar(), ES: azucar()})
    site.write(EN, sugar("Sugar Harvest Falls Sharply"))
    commit(git, site, "Correct the headline")
    git_calls.clear()
    assert site.build().code == 0
    assert git_calls == ["rev-parse", "log", "ls-tree", "cat-file"]
    git_calls.clear()
    assert site.build().code == 0  # nothing changed: no log, no blob
    assert git_calls == ["rev-parse"]
    site.write(ES, azucar("Cae la zafra otra vez"))
    git_calls.clear()
    assert site.build().code == 0  # one edit: the log at most once (a process keeps it), no blob
    assert git_calls in (["rev-parse"], ["rev-parse", "log", "ls-tree"])
    assert "/es/economia/cae-la-zafra/ /es/economia/cae-la-zafra-otra-vez/ 301" in rules(site)
    commit(git, site, "Correct the translation")
    git_calls.clear()
    assert site.build().code == 0  # the new commit's blob is the file the build parsed
    assert git_calls == ["rev-parse", "log", "ls-tree"]


# Reading a URL from front matter alone -------------------------------------------------------------

FILES = {
    "content/economy/que-sigue.es.md": "---\ntitle: ¿Qué sigue para Cuba? Año nuevo\n"
                                        "date: 2015-01-12T14:30:00\n---\nCuerpo.\n",
    "content/economy/sugar.en.md": "---\ntitle: Sugar\nslug: sugar-2015\nsection: americas\n"
                                   "lang: en\ndate: 2015-01-12T14:30:00-05:00\n"
                                   "translation_key: 2015\n---\nBody.\n",
    "content/top.md": "---\ntitle: 'AT&T <script>'\ndate: 2015-01-12\ndraft: true\n---\n",
    "content/economy/2015/deep.es.md": "\ufeff---\r\ntitle: Hondo\r\ndate: 2015-01-12\r\n"
                                       "section: economy\r\n---\r\nCuerpo.\r\n",
    "content/translation.es.md": "---\ntitle: Sin fecha ni sección\n---\nCuerpo.\n",
}


@pytest.mark.parametrize("rel", sorted(FILES))
def test_url_facts_agree_with_the_parser(make_site, rel):
    site = make_site({}, config=CONFIG)
    config = site_config.load(site.root)
    settings = ParseSettings.of(config, {lang: "" for lang in config.codes})
    data = FILES[rel].encode()
    parsed = parse(rel, data, settings)
    facts = url_facts(rel, data, settings)
    assert facts == facts_of(parsed)
    assert url_of(facts, facts.section, config) == parsed.path


@pytest.mark.parametrize("text", ["---\ndate: 2015-01-12\n---\n", "---\ntitle: [\n---\n",
                                  "no front matter", "---\ntitle: X\nlang: fr\n---\n",
                                  "---\ntitle: X\nslug: tags\n---\n"])
def test_a_file_that_makes_no_url_has_no_facts(make_site, text):
    site = make_site({}, config=CONFIG)
    config = site_config.load(site.root)
    settings = ParseSettings.of(config, {lang: "" for lang in config.codes})
    assert url_facts("content/x.en.md", text.encode(), settings) is None


# The live preview -------------------------------------------------------------------------------

@pytest.fixture
def preview_of() -> Iterator[Callable[[Site], tuple[Preview, int]]]:
    """preview_of(site) -> (the site's built preview, the port it answers on)."""
    servers: list[PreviewServer] = []

    def start(site: Site) -> tuple[Preview, int]:
        preview = Preview(site.root, drafts=False, future=False)
        preview.configure(site_config.load(preview.site_dir))
        assert preview.rebuild()
        handler = type("Bound", (Handler,), {"preview": preview})
        server = PreviewServer(("127.0.0.1", 0), handler)
        handler.hosts = HostCheck.of("127.0.0.1", "127.0.0.1", server.server_address[1])
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        servers.append(server)
        return preview, server.server_address[1]

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_the_preview_answers_an_old_url_with_301(repo, git, preview_of):
    site = repo({EN: sugar(aliases="[/en/old-sugar/]")})
    site.write(EN, sugar("Sugar Harvest Falls Sharply", aliases="[/en/old-sugar/]"))
    commit(git, site, "Correct the headline")
    _, port = preview_of(site)
    for old in ("/en/economy/sugar-harvest-falls/", "/en/economy/sugar-harvest-falls",
                "/en/old-sugar/"):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", old)
        response = connection.getresponse()
        response.read()
        connection.close()
        assert (response.status, response.getheader("Location")) == \
            (301, "/en/economy/sugar-harvest-falls-sharply/"), old


def test_the_preview_reads_only_plain_301_rules():
    assert moves_of("# ours\n/a/ /b/ 301!\n/c /d 302\n/e/* /f/:splat 301\n/g /h 301 Country=us\n"
                    "/%C3%B1/ /n/ 301\n") == {"/a/": "/b/", "/%C3%B1/": "/n/"}
