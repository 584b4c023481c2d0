"""What articles and configuration may contain: names that become paths, URLs that become links,
dates at the calendar's edges, bodies that would exhaust the parser, and the checks an editor
needs before publishing."""

from __future__ import annotations

import re

import pytest
from conftest import CONFIG, JPEG, Tags, article, config_with, line_of, tree

from sitegen.content import ParseSettings, parse

DIAGNOSTIC = re.compile(r"^(\S+?)(?::(\d+))?: (error|warning|info): .+$")


def errors_at(result, path: str, line: int) -> list[str]:
    prefix = f"{path}:{line}: error: "
    return [entry for entry in result.err.splitlines() + result.out.splitlines()
            if entry.startswith(prefix)]


def refused_build(site, *args: str):
    """A build that must fail cleanly: non-zero, no traceback, nothing written."""
    result = site.build(*args)
    assert result.code == 1, result
    assert "Traceback" not in result.err
    assert not site.public.exists()
    return result


def check(site, *args: str):
    return site.runner("check", "-s", site.root, *args)


def settings() -> ParseSettings:
    return ParseSettings(("en", "es"), "en", "America/Havana", (("en", "back"), ("es", "atrás")),
                         "test", ("news",))


# Names that become paths --------------------------------------------------------------------

@pytest.mark.parametrize("key", ["slug", "section"])
def test_a_name_with_a_trailing_newline_is_refused(make_site, key):
    text = article("Story", **{key: "|\n  story"})
    site = make_site({"content/news/story.en.md": text})
    result = refused_build(site)
    assert errors_at(result, "content/news/story.en.md", line_of(text, f"{key}:"))
    check_result = check(site)
    assert check_result.code == 1
    assert errors_at(check_result, "content/news/story.en.md", line_of(text, f"{key}:"))


def test_a_folder_name_with_a_newline_is_refused_as_a_section(make_site):
    site = make_site({"content/news\n/story.en.md": article("Story")})
    result = refused_build(site)
    assert "content/news\\n/story.en.md:1: error: " in result.err
    assert "folder" in result.err


def test_a_folder_name_is_no_section_when_the_article_names_its_own(make_site):
    site = make_site({"content/odd name/story.en.md": article("Story", section="news")})
    assert site.build().code == 0, site.build().err
    assert (site.public / "en/news/story/index.html").is_file()


def test_new_refuses_a_section_with_a_trailing_newline(make_site):
    site = make_site({})
    before = tree(site.root)
    result = site.runner("new", "Hello", "-s", site.root, "--section", "news\n")
    assert result.code == 1 and "--section: error: " in result.err
    assert tree(site.root) == before


@pytest.mark.parametrize("name", ['"news\\n"', "tags", '"a/b"', '"Feed.xml"'])
def test_configured_section_names_must_be_url_segments(make_site, name):
    config = CONFIG.replace('news = "News"', f'{name} = "News"', 1)
    site = make_site({}, config=config)
    result = refused_build(site)
    found = errors_at(result, "sitegen.toml", line_of(config, f'{name} = "News"'))
    assert found and "section" in found[0], result.err


# URLs that become links ---------------------------------------------------------------------

BAD_URLS = ["javascript:alert(9)", '" JaVaScRiPt:alert(9)"', "data:text/html;base64,PHNjcmlwdD4=",
            '"java\\tscript:alert(9)"', '"\\x01javascript:alert(9)"', "vbscript:msgbox(1)",
            "javascript&#58;alert(9)", "//evil.example/x.js", '"/\\\\evil.example/x"',
            "mailto:desk@example.org", "https://", "http:/no-host"]
GOOD_URLS = ["https://www.efe.com/", "HTTP://Example.org/a?b=c#d", "/images/port.jpg",
             "images/port.jpg", "../port.jpg"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_source_url_that_is_not_a_web_address_is_refused(make_site, url):
    text = article("Story", sources=f"\n  - Reuters\n  - name: EFE\n    url: {url}")
    site = make_site({"content/news/story.en.md": text})
    result = refused_build(site)
    found = errors_at(result, "content/news/story.en.md", line_of(text, "name: EFE"))
    assert found and "EFE" in found[0], result.err
    assert errors_at(check(site), "content/news/story.en.md", line_of(text, "name: EFE"))


@pytest.mark.parametrize("url", BAD_URLS)
def test_an_image_that_is_not_a_web_address_is_refused(make_site, url):
    text = article("Story", image=url, image_alt="A port")
    site = make_site({"content/news/story.en.md": text})
    result = refused_build(site)
    assert errors_at(result, "content/news/story.en.md", line_of(text, "image:")), result.err


@pytest.mark.parametrize("url", GOOD_URLS)
def test_web_addresses_and_paths_are_published(make_site, url):
    site = make_site({"content/news/story.en.md": article(
        "Story", image=url, image_alt="A port", sources=f"\n  - name: EFE\n    url: {url}"),
        "static/images/port.jpg": JPEG, "content/news/images/port.jpg": JPEG,
        "content/port.jpg": JPEG})
    result = site.build()
    assert result.code == 0, result.err
    page = site.read("en/news/story/index.html")
    assert Tags(page).find("a", href=url)


# Dates at the edges of the calendar ---------------------------------------------------------

@pytest.mark.parametrize("when", ["0001-01-01T00:00+05:00", "9999-12-31T23:59:59-05:00",
                                  "0001-01-01T00:00:00+05:00", "9999-12-31T20:00:00"])
@pytest.mark.parametrize("key", ["date", "updated"])
def test_a_date_beyond_the_calendar_is_an_error(make_site, when, key):
    fields = {"date": "2015-01-12", key: when}
    text = article("Story", **fields) if key == "updated" else article("Story", date=when)
    site = make_site({"content/news/story.en.md": text,
                      "content/news/fine.en.md": article("Fine")})
    result = refused_build(site, "--future")
    found = errors_at(result, "content/news/story.en.md", line_of(text, f"{key}:"))
    assert found and "range" in found[0], result.err
    for command in ("check", "status"):
        other = site.runner(command, "-s", site.root)
        assert "Traceback" not in other.err
    assert errors_at(check(site), "content/news/story.en.md", line_of(text, f"{key}:"))
    assert "news/fine" in site.runner("status", "-s", site.root).out


RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")


def written_datetimes(out) -> list[str]:
    """Every machine-readable date the site wrote: <time>, feeds, sitemaps, JSON-LD, meta."""
    found = []
    for path in out.rglob("*"):
        if path.suffix in (".html", ".xml"):
            text = path.read_text("utf-8")
            found += re.findall(r'datetime="([^"]+)"', text)
            found += re.findall(r"<(?:published|updated|lastmod)>([^<]+)<", text)
            found += re.findall(r'"date(?:Published|Modified)":"([^"]+)"', text)
            found += re.findall(r'_time" content="([^"]+)"', text)
    return found


@pytest.mark.parametrize("when", ["0001-01-01", "1900-01-01", "1900-01-01T12:00:00",
                                  "9999-12-31T18:00:00"])
def test_dates_at_the_edges_are_written_as_rfc3339(make_site, when):
    site = make_site({"content/news/story.en.md": article("Story", date=when)})
    result = site.build("--future")
    assert result.code == 0, result.err
    stamps = written_datetimes(site.public)
    assert stamps
    for stamp in stamps:
        assert RFC3339.match(stamp), stamp
    page = site.read("en/news/story/index.html")
    year = when[:4].lstrip("0")
    assert re.search(rf'<time datetime="{when[:10]}T[^"]+">[^<]*{year}\b[^<]*</time>', page), \
        page  # the date, then its time where the front matter gives one


# Bodies that would exhaust the parser -------------------------------------------------------

def deep_list(levels: int) -> str:
    return "".join("  " * n + "- x\n" for n in range(levels))


def test_a_too_deeply_nested_body_is_an_error(make_site):
    text = article("Deep", body="Intro.\n\n" + deep_list(2000))
    site = make_site({"content/news/deep.en.md": text,
                      "content/news/fine.en.md": article("Fine")})
    result = refused_build(site, "-j", "1")
    found = errors_at(result, "content/news/deep.en.md", line_of(text, "Intro."))
    assert found and "nested" in found[0], result.err
    # The same process (a live preview) converts the next bodies as well as ever.
    site.write("content/news/deep.en.md", article("Deep", body="Intro.\n"))
    assert site.build("-j", "1").code == 0
    page = (site.public / "en/news/fine/index.html").read_text("utf-8")
    assert "<p>First paragraph.</p>" in page


def test_a_too_deeply_nested_body_is_an_error_in_a_worker_too(make_site):
    files = {f"content/news/story-{n}.en.md": article(f"Story {n}") for n in range(120)}
    text = article("Deep", body=deep_list(2000))
    files["content/news/story-99.en.md"] = text
    site = make_site(files)
    result = refused_build(site, "-j", "2", "--no-cache")
    found = [entry for entry in result.err.splitlines()
             if entry.startswith("content/news/story-99.en.md:") and "nested" in entry]
    assert found, result.err


# The default summary --------------------------------------------------------------------------

def test_the_summary_of_a_huge_paragraph_is_found_in_linear_time():
    words = "word " * 40_000  # 200 KB, one paragraph
    story = parse("content/news/long.en.md",
                  article("Long", body=words).encode(), settings())
    assert story.summary == words.strip()


def test_a_body_of_unclosed_paragraphs_has_no_summary_and_parses_quickly():
    story = parse("content/news/raw.en.md",
                  article("Raw", body="<p>" * 70_000 + "\n").encode(), settings())
    assert story.summary == ""


# Slugs ----------------------------------------------------------------------------------------

def test_a_long_title_gives_a_slug_cut_at_a_word(make_site):
    title = " ".join(["Havana"] + ["harbour"] * 35)  # 286 characters
    site = make_site({"content/news/long.en.md": article(title)})
    result = site.build()
    assert result.code == 0, result.err
    [folder] = [p.name for p in (site.public / "en/news").iterdir() if p.is_dir()]
    assert len(folder) <= 80 and folder.startswith("havana-harbour-")
    assert not folder.endswith("-") and folder.endswith("harbour")


def test_an_explicit_slug_longer_than_80_characters_is_an_error(make_site):
    text = article("Story", slug="a" * 81)
    site = make_site({"content/news/story.en.md": text})
    result = refused_build(site)
    assert errors_at(result, "content/news/story.en.md", line_of(text, "slug:"))


@pytest.mark.parametrize("title", ["Can Panama Fix the Canal's Water Crisis?",
                                   '"Can Panama Fix the Canal’s Water Crisis?"',
                                   '"Can Panama Fix the Canalʼs Water Crisis?"'])
def test_apostrophes_are_dropped_from_slugs(make_site, title):
    site = make_site({"content/news/canal.en.md": article(title)})
    assert site.build().code == 0
    assert (site.public / "en/news/can-panama-fix-the-canals-water-crisis/index.html").is_file()


@pytest.mark.parametrize("fields, key", [
    ({"slug": "feed.xml"}, "slug"), ({"slug": "index.html"}, "slug"),
    ({"slug": "404.html"}, "slug"), ({"slug": "page"}, "slug"),
    ({"section": "tags"}, "section"), ({"section": "authors"}, "section"),
    ({"section": "page"}, "section"), ({"section": "feed.xml"}, "section"),
    ({"slug": "Feed.XML"}, "slug"), ({"section": "Tags"}, "section"),
])
def test_names_the_site_uses_for_its_own_files_are_refused(make_site, fields, key):
    text = article("Story", **fields)
    site = make_site({"content/news/story.en.md": text})
    result = refused_build(site)
    found = errors_at(result, "content/news/story.en.md", line_of(text, f"{key}:"))
    assert found and "site" in found[0], result.err


def test_a_top_level_story_whose_title_makes_a_reserved_slug(make_site):
    text = article("Tags")
    site = make_site({"content/tags.en.md": text, "content/news/a.en.md": article("A",
                                                                                 tags="[x]")})
    result = refused_build(site)
    assert errors_at(result, "content/tags.en.md", line_of(text, "title:")), result.err


# Two files, one URL or one story ----------------------------------------------------------------

def test_two_articles_at_one_url_are_reported_at_their_slug_and_title_lines(make_site):
    one = article("Port Reopens", tags="[port]")
    two = article("Copy", slug="port-reopens")
    site = make_site({"content/news/one.en.md": one, "content/news/two.en.md": two})
    result = refused_build(site)
    assert errors_at(result, "content/news/one.en.md", line_of(one, "title:")), result.err
    assert errors_at(result, "content/news/two.en.md", line_of(two, "slug:")), result.err
    checked = check(site)
    assert errors_at(checked, "content/news/one.en.md", line_of(one, "title:")), checked.out
    assert errors_at(checked, "content/news/two.en.md", line_of(two, "slug:")), checked.out


def test_a_shared_translation_key_is_reported_at_both_key_lines(make_site):
    one = article("Uno", translation_key="dup")
    two = article("Dos", tags="[x]", translation_key="dup")
    site = make_site({"content/news/one.es.md": one, "content/news/two.es.md": two})
    result = refused_build(site)
    for rel, text in (("content/news/one.es.md", one), ("content/news/two.es.md", two)):
        found = errors_at(result, rel, line_of(text, "translation_key:"))
        assert found and "duplicate translation" in found[0], result.err


def test_a_duplicate_language_is_reported_at_the_lang_line(make_site):
    one = article("Story", lang="en")
    site = make_site({"content/news/story.md": one, "content/news/story.en.md": article("Two")})
    result = refused_build(site)
    assert errors_at(result, "content/news/story.md", line_of(one, "lang:")), result.err
    assert errors_at(result, "content/news/story.en.md", 1), result.err


# Sections are declared ------------------------------------------------------------------------

def test_an_undeclared_section_is_an_error_with_a_suggestion(make_site):
    text = article("Story", section="nwes")
    site = make_site({"content/news/story.en.md": text})
    result = refused_build(site)
    found = errors_at(result, "content/news/story.en.md", line_of(text, "section:"))
    assert found and "'nwes'" in found[0] and "did you mean 'news'" in found[0], result.err


def test_an_undeclared_section_folder_is_an_error_with_a_suggestion(make_site):
    site = make_site({"content/nwes/story.en.md": article("Story")})
    result = refused_build(site)
    found = errors_at(result, "content/nwes/story.en.md", 1)
    assert found and "folder" in found[0] and "did you mean 'news'" in found[0], result.err


def test_new_refuses_an_undeclared_section(make_site):
    site = make_site({})
    before = tree(site.root)
    result = site.runner("new", "Hello", "-s", site.root, "--section", "nwes")
    assert result.code == 1 and "did you mean 'news'" in result.err
    assert tree(site.root) == before


# Configuration --------------------------------------------------------------------------------

def test_a_type_error_does_not_hide_the_other_configuration_errors(make_site):
    config = config_with(per_page='"two"').replace("America/Havana", "Nowhere/City") \
        .replace('title = "The Island Post"', "title = 3")
    site = make_site({}, config=config)
    result = refused_build(site)
    for needle in ("per_page", "timezone", "title = 3"):
        assert errors_at(result, "sitegen.toml", line_of(config, needle)), (needle, result.err)


def test_a_configuration_that_is_not_utf8_is_an_error(make_site):
    site = make_site({})
    (site.root / "sitegen.toml").write_bytes(CONFIG.replace("Island", "Isl\xe1nd")
                                             .encode("latin-1"))
    result = refused_build(site)
    assert "sitegen.toml: error: " in result.err or "sitegen.toml:" in result.err
    assert "UTF-8" in result.err


def test_a_pyproject_that_is_not_utf8_is_an_error(make_site):
    site = make_site({}, config=None)
    (site.root / "pyproject.toml").write_bytes(b'[project]\nname = "caf\xe9"\n')
    result = refused_build(site)
    assert "pyproject.toml" in result.err and "UTF-8" in result.err


def test_a_folder_without_configuration_is_not_a_site(make_site):
    site = make_site({"content/news/story.en.md": article("Story")}, config=None)
    result = refused_build(site)
    assert "no sitegen.toml" in result.err and "sitegen init" in result.err
    assert check(site).code == 1


@pytest.mark.parametrize("url", ['"https://example.org/\\nDisallow: /"', '"https://exa mple.org"',
                                 '"ftp://example.org"', '"https://"', '"https://x.org/?a=1"',
                                 '"https://x.org/\\u0000"', '"https://x.org/<x>"'])
def test_base_url_must_be_a_plain_web_address(make_site, url):
    config = CONFIG.replace('"https://example.org"', url)
    site = make_site({}, config=config)
    result = refused_build(site)
    found = errors_at(result, "sitegen.toml", line_of(config, "base_url"))
    assert found and "base_url" in found[0], result.err


@pytest.mark.parametrize("url", ["https://example.org/\nDisallow: /", "https://a b.org",
                                 "javascript:alert(1)"])
def test_base_url_option_must_be_a_plain_web_address(make_site, url):
    site = make_site({"content/news/a.en.md": article("A")})
    result = refused_build(site, "--base-url", url)
    assert "--base-url: error: " in result.err


# sitegen check warnings -----------------------------------------------------------------------

def warnings_of(result) -> list[str]:
    return [entry for entry in result.out.splitlines() if ": warning: " in entry]


def test_tags_that_differ_keep_their_own_pages(make_site):
    site = make_site({"content/news/a.en.md": article("A", tags="[C++, C#, c]")})
    assert site.build().code == 0
    tags = sorted(p.name for p in (site.public / "en/tags").iterdir() if p.is_dir())
    assert tags == ["c", "c-plus-plus", "c-sharp"]


def test_tags_that_share_a_page_are_a_warning(make_site):
    one = article("A", tags="[José, cuba]")
    two = article("B", tags="[Jose]")
    site = make_site({"content/news/a.en.md": one, "content/news/b.en.md": two})
    result = check(site)
    found = [w for w in warnings_of(result) if "José" in w and "Jose'" in w]
    assert found, result.out
    assert found[0].startswith(f"content/news/b.en.md:{line_of(two, 'tags:')}: warning: ")
    assert f"content/news/a.en.md:{line_of(one, 'tags:')}" in found[0]


@pytest.mark.parametrize("url, warned", [
    ("https://example.org/", True), ("https://www.example.com", True),
    ("http://localhost:8000/", True), ("http://127.0.0.1:8000", True),
    ("https://islandpost.com", False)])
def test_a_placeholder_base_url_is_a_warning(make_site, url, warned):
    config = CONFIG.replace('"https://example.org"', f'"{url}"')
    site = make_site({"content/news/a.en.md": article("A", sources="[AP]")}, config=config)
    result = check(site)
    found = [w for w in warnings_of(result)
             if w.startswith(f"sitegen.toml:{line_of(config, 'base_url')}: warning: base_url")]
    assert bool(found) == warned, result.out


def test_a_story_without_text_is_a_warning(make_site):
    text = article("Empty", sources="[AP]", body="\n  \n")
    site = make_site({"content/news/a.en.md": text,
                      "content/news/b.en.md": article("Full", sources="[AP]")})
    result = check(site)
    found = [w for w in warnings_of(result) if w.startswith("content/news/a.en.md:")]
    assert found and "no text" in found[0], result.out
    assert not [w for w in warnings_of(result) if w.startswith("content/news/b.en.md:")]


# sitegen new writes a draft -------------------------------------------------------------------

def test_new_writes_a_draft_and_says_how_to_publish_it(make_site):
    site = make_site({})
    result = site.runner("new", "Cuba Talks Resume", "-s", site.root)
    assert result.code == 0, result.err
    written = site.root / "content/americas/cuba-talks-resume.en.md"
    assert "\ndraft: true\n" in written.read_text("utf-8")
    assert "draft: true" in result.err and "sitegen build" in result.err
    assert site.build().code == 0
    assert not (site.public / "en/americas/cuba-talks-resume").exists()
    assert "Cuba Talks Resume" not in site.read("en/index.html")


def test_the_welcome_story_of_init_is_published(tmp_path, run):
    assert run("init", tmp_path / "paper").code == 0
    assert run("build", "-s", tmp_path / "paper").code == 0
    assert (tmp_path / "paper/public/en/news/welcome-to-your-new-bilingual-site/index.html") \
        .is_file()


# Tables without inline styles -----------------------------------------------------------------

TABLE = """\
| Port | Ships | Tonnes |
|:-----|:-----:|-------:|
| Mariel | 12 | 3,400 |
"""


def test_aligned_table_cells_get_classes_not_styles(make_site):
    site = make_site({"content/news/a.en.md": article("Ports", body=TABLE, tags="[ports]",
                                                      sources="[AP]"),
                      "content/news/a.es.md": article("Puertos", body=TABLE)})
    assert site.build().code == 0
    page = site.read("en/news/ports/index.html")
    cells = Tags(page).find("td")
    assert [c.get("class") for c in cells] == ["align-left", "align-center", "align-right"]
    for path in site.public.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".css", ".js", ".json"):
            assert not re.search(r"\sstyle=", path.read_text("utf-8")), path
    [css_file] = (site.public / "assets").rglob("site*.css")
    css = css_file.read_text("utf-8")
    for side in ("left", "center", "right"):
        assert re.search(rf"\.align-{side}\b[^{{]*\{{[^}}]*text-align:\s*{side}", css), side


def test_a_story_whose_page_is_a_section_page_is_an_error_at_its_title(make_site):
    text = article("News")
    site = make_site({"content/news.en.md": text, "content/news/a.en.md": article("A")})
    for result in (refused_build(site), check(site)):
        found = errors_at(result, "content/news.en.md", line_of(text, "title:"))
        assert found and "the section page /en/news/" in found[0], result
