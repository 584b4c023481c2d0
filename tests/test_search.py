"""Search (SPEC 6.6): a form on every page, a search page per language, and Pagefind's index
of the article bodies, one per language, made again only when an article page changes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from conftest import Site, Tags, article, tree

STORIES = {
    "content/world/sugar.en.md": article(
        "Sugar Harvest Falls", translation_key="sugar", summary="The harvest fell again.",
        body="Growers blame the drought and the price of fertiliser.\n"),
    "content/world/azucar.es.md": article(  # late in the evening: the next day in UTC
        "Cae la zafra azucarera", date="2015-01-12T21:30:00-05:00", translation_key="sugar",
        summary="La zafra volvió a caer.",
        body="Los productores culpan a la sequía y al precio de los fertilizantes.\n"),
    "content/world/port.en.md": article("Port Reopens", body="Ships are back in Mariel.\n"),
}


def built(make_site: Callable[..., Site]) -> Site:
    site = make_site(STORIES)
    result = site.build()
    assert result.code == 0, result.err
    return site


def test_every_page_has_a_search_form_to_its_languages_search_page(
        make_site: Callable[..., Site]) -> None:
    site = built(make_site)
    pages = [p for p in site.public.rglob("*.html") if not p.is_relative_to(
        site.public / "pagefind")]
    assert len(pages) > 10
    for page in pages:
        html = page.read_text("utf-8")
        lang = re.search(r'<html lang="([^"]+)"', html).group(1)  # type: ignore[union-attr]
        forms = Tags(html).find("form", role="search")
        assert forms, page
        for form in forms:
            assert form["action"] == {"en": "/en/search/", "es": "/es/buscar/"}[lang], page
            assert (form.get("method") or "get") == "get"
        assert Tags(html).find("input", name_="q"), page


def test_the_search_page_of_each_language(make_site: Callable[..., Site]) -> None:
    site = built(make_site)
    english, spanish = site.read("en/search/index.html"), site.read("es/buscar/index.html")
    assert '<html lang="es">' in spanish and "<h1" in spanish and "Buscar" in spanish
    assert Tags(english).find("meta", name_="robots", content="noindex")
    assert 'hreflang="es" href="https://example.org/es/buscar/"' in english
    for page in (english, spanish):
        [script] = [s for s in Tags(page).find("script") if s.get("src")]
        assert (site.public / (script["src"] or "x").lstrip("/")).is_file()
        assert Tags(page).find("ol", **{"data-pagefind": "/pagefind/pagefind.js"})
    assert "/en/search/" not in site.read("sitemap.xml")


def test_the_index_has_both_languages_and_only_article_bodies(
        make_site: Callable[..., Site]) -> None:
    site = built(make_site)
    entry = json.loads(site.read("pagefind/pagefind-entry.json"))
    assert sorted(entry["languages"]) == ["en", "es"]
    assert entry["languages"]["en"]["page_count"] == 2
    assert entry["languages"]["es"]["page_count"] == 1
    assert (site.public / "pagefind/pagefind.js").is_file()
    story = site.read("en/world/sugar-harvest-falls/index.html")
    assert 'data-pagefind-body' in story and 'data-pagefind-meta="summary"' in story
    assert not any("data-pagefind-body" in site.read(p) for p in ("en/index.html",
                                                                   "en/world/index.html"))


def test_the_index_is_the_same_on_every_build_and_kept_when_no_article_changes(
        make_site: Callable[..., Site], tmp_path: Path) -> None:
    site = built(make_site)
    first = tree(site.public)
    assert site.build("--no-cache", "-o", str(tmp_path / "again")).code == 0
    assert tree(tmp_path / "again") == first
    index = {p: (site.public / p).stat().st_ino for p in first if p.startswith("pagefind/")}
    site.write("static/robots-note.txt", "a file that no article page shows\n")
    assert site.build().code == 0  # no article page changed: the index is not made again
    assert all((site.public / p).stat().st_ino == ino for p, ino in index.items())
    story = site.root / "content/world/port.en.md"
    story.write_text(story.read_text().replace("Mariel", "Havana"))
    assert site.build().code == 0
    fragments = {p for p in tree(site.public) if p.startswith("pagefind/fragment/")}
    assert fragments != {p for p in first if p.startswith("pagefind/fragment/")}


def test_the_site_policy_lets_pagefind_run(make_site: Callable[..., Site]) -> None:
    netlify = (Path(__file__).resolve().parents[1] / "netlify.toml").read_text()
    policy = re.search(r'Content-Security-Policy = "([^"]+)"', netlify).group(1)  # type: ignore[union-attr]
    assert "script-src 'self' 'wasm-unsafe-eval'" in policy
    assert "'unsafe-eval'" not in policy.replace("'wasm-unsafe-eval'", "")


# In a real browser, under the site's own Content-Security-Policy ------------------------------

def _policy() -> str:
    netlify = (Path(__file__).resolve().parents[1] / "netlify.toml").read_text()
    return re.search(r'Content-Security-Policy = "([^"]+)"', netlify).group(1)  # type: ignore[union-attr]


@contextmanager
def browsing(site: Site) -> Iterator[tuple[Any, str, list[str]]]:
    """A Chromium page on the site's output served under the site's own policy, its address,
    and the errors its console shows."""
    import functools
    import http.server
    import threading

    import pytest
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("no Chromium (CI installs Debian's chromium package)")
    sync_api = pytest.importorskip("playwright.sync_api")
    policy = _policy()

    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map: ClassVar[dict[str, str]] = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                          ".js": "text/javascript", ".pagefind": "application/wasm"}

        def end_headers(self) -> None:
            self.send_header("Content-Security-Policy", policy)
            super().end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(site.public)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            yield page, f"http://127.0.0.1:{server.server_address[1]}", problems
            browser.close()
    finally:
        server.shutdown()


def found(page: Any, address: str) -> list[str]:
    """The links a search page lists once its results are in."""
    page.goto(address)
    page.wait_for_selector(".search-page__status:not(:empty):not(:has-text('…'))",
                           timeout=10_000)
    return page.eval_on_selector_all(".search-result a",  # type: ignore[no-any-return]
                                     "els => els.map(e => e.getAttribute('href'))")


def test_a_spanish_query_finds_the_spanish_story_only(make_site: Callable[..., Site]) -> None:
    site = built(make_site)
    with browsing(site) as (page, base, problems):
        # From an article's masthead form, as a reader would.
        page.goto(f"{base}/es/world/cae-la-zafra-azucarera/")
        page.fill("input[name=q]", "sequía")
        page.press("input[name=q]", "Enter")
        page.wait_for_url("**/es/buscar/?q=*")
        page.wait_for_selector(".search-result", timeout=10_000)
        links = page.eval_on_selector_all(".search-result a",
                                          "els => els.map(e => e.getAttribute('href'))")
        assert links == ["/es/world/cae-la-zafra-azucarera/"]
        assert "Cae la zafra azucarera" in page.inner_text(".search-results")
        assert "12 de enero de 2015" in page.inner_text(".search-result__date")  # its day
        assert "coincide" in page.inner_text(".search-page__status")
        assert found(page, f"{base}/en/search/?q=drought") == ["/en/world/sugar-harvest-falls/"]
        assert "Sugar Harvest Falls" in page.inner_text(".search-results")
    assert not problems, problems


def _word(n: int) -> str:
    """A word no other story has (letters only, as a reader would type one)."""
    return "zq" + "".join("abcdefghij"[int(digit)] for digit in str(n)) + "x"


def _harbour(stories: int = 70) -> dict[str, str]:
    files = {}
    for n in range(stories):
        files[f"content/world/s{n}.en.md"] = article(
            f"Story {n}", translation_key=f"s{n}",
            body=f"The harbour report {_word(n)} in English.\n")
        files[f"content/world/s{n}.es.md"] = article(
            f"Crónica {n}", translation_key=f"s{n}",
            body=f"La crónica del puerto {_word(n + 100)} en español.\n")
    return files


def test_a_large_sites_index_comes_in_parts_and_an_edit_makes_one_again(
        make_site: Callable[..., Site]) -> None:
    site = make_site(_harbour())
    assert site.build().code == 0
    entry = json.loads(site.read("pagefind/pagefind-entry.json"))
    assert sorted(entry["languages"]) == ["en", "es"]  # the first part holds both
    parts = sorted({p.split("/")[1] for p in tree(site.public)
                    if p.startswith("pagefind/") and p.endswith("/pagefind-entry.json")
                    and p.count("/") == 2})
    assert parts == ["en-1", "es-1"]
    assert not (site.public / "pagefind/es-1/pagefind.js").exists()  # the first part's serves
    counts = [json.loads(site.read(f"pagefind/{part}/pagefind-entry.json"))["languages"]
              for part in ("es-1",)]
    assert list(counts[0]) == ["es"]
    searched = Tags(site.read("es/buscar/index.html")).find("ol", class_="search-results")[0]
    assert searched["data-pagefind-parts"] == "/pagefind/es-1/"

    with browsing(site) as (page, base, problems):
        for n in (0, 23, 69):  # wherever their parts are
            assert found(page, f"{base}/es/buscar/?q={_word(n + 100)}") == [
                f"/es/world/cronica-{n}/"]
            assert found(page, f"{base}/en/search/?q={_word(n + 100)}") == []
            assert found(page, f"{base}/es/buscar/?q={_word(n)}") == []
        assert found(page, f"{base}/es/buscar/?q=puerto") and \
            "70" in page.inner_text(".search-page__status")
    assert not problems, problems

    before = {p: d for p, d in tree(site.public).items() if p.startswith("pagefind/")}
    site.write("content/world/s5.es.md", article(
        "Crónica 5", translation_key="s5", body="La crónica del muelle, corregida.\n"))
    assert site.build().code == 0
    after = {p: d for p, d in tree(site.public).items() if p.startswith("pagefind/")}
    changed = {p.split("/")[1] if p.count("/") > 1 and "-" in p.split("/")[1] else "first"
               for p in set(before) ^ set(after) | {p for p in after if before.get(p) != after[p]}}
    # The story's two pages (the English one names its Spanish version) are in two parts at
    # most, of the four.
    assert 1 <= len(changed) <= 2, changed


def test_an_edit_to_what_search_does_not_read_keeps_the_index(
        make_site: Callable[..., Site], tmp_path: Path, monkeypatch: Any) -> None:
    """A part of the index is made from what Pagefind reads of its pages: a template's
    footer, or another story's tags and so a page's related stories, leave it as it was."""
    import shutil

    from sitegen import search

    site = make_site({**STORIES, "content/world/dock.en.md": article(
        "Dock Strike Ends", tags=["ports"], body="Dockers are back at work.\n")})
    shutil.copytree(Path(__file__).resolve().parents[1] / "themes/default",
                    site.root / "themes/default")
    assert site.build().code == 0
    footer = site.root / "themes/default/templates/partials/footer.html"
    footer.write_text(footer.read_text() + "<p>Printed in Havana</p>\n")
    site.write("content/world/port.en.md", article("Port Reopens", tags=["ports"],
                                                    body="Ships are back in Mariel.\n"))

    def unavailable(self: object) -> None:
        raise OSError("Pagefind is not to be asked")

    with monkeypatch.context() as patched:
        patched.setattr(search._Pagefind, "__enter__", unavailable)
        result = site.build()
    assert result.code == 0, result.err
    port = site.read("en/world/port-reopens/index.html")
    assert "Printed in Havana" in port and "Dock Strike Ends" in port  # now related
    assert tree(site.public) == _cold(site, tmp_path / "cold")
    site.write("content/world/port.en.md", article("Port Reopens", tags=["ports"],
                                                    body="Ferries are back in Mariel.\n"))
    with monkeypatch.context() as patched:  # what search reads changed: its part is made anew
        patched.setattr(search._Pagefind, "__enter__", unavailable)
        result = site.build()
    assert result.code == 1 and "Pagefind is not to be asked" in result.err


def test_the_index_with_a_section_filter_is_the_same_on_every_build(
        make_site: Callable[..., Site], tmp_path: Path) -> None:
    """Pagefind writes a filter's values in varying order: sitegen puts them in order."""
    files = dict(STORIES)
    for n, section in enumerate(["americas", "culture", "economy", "world", "news"] * 2):
        files[f"content/{section}/s{n}.en.md"] = article(f"Story {n}", section=section)
        files[f"content/{section}/s{n}.es.md"] = article(f"Noticia {n}", section=section)
    site = make_site(files)
    indexes = []
    for run in range(4):
        assert site.build("--no-cache", "-o", str(tmp_path / f"out{run}")).code == 0
        indexes.append({p: d for p, d in tree(tmp_path / f"out{run}").items()
                        if p.startswith("pagefind/")})
    assert any(p.startswith("pagefind/filter/") for p in indexes[0])
    assert all(index == indexes[0] for index in indexes)


def test_the_preview_shows_a_save_first_and_searches_it_a_moment_later(
        make_site: Callable[..., Site], tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from conftest import EPOCH

    from sitegen.assemble import BuildOptions
    from sitegen.commands.preview import Session

    site = make_site(STORIES)
    out = tmp_path / "preview"
    session = Session(site.root.resolve(), out)
    options = BuildOptions(now=datetime.fromtimestamp(int(EPOCH), UTC))
    session.build(options, None)
    index = {p: d for p, d in tree(out).items() if p.startswith("pagefind/")}
    saved = site.write("content/world/port.en.md", article(
        "Port Reopens", body="Ships are back in Mariel, and ferries too.\n"))
    report = session.build(options, {str(saved.resolve())}).report
    assert "en/world/port-reopens/index.html" in report.renewed
    assert not any(p.startswith("pagefind/") for p in report.renewed)  # the page comes first
    assert {p: d for p, d in tree(out).items() if p.startswith("pagefind/")} == index
    session.index()
    assert tree(out) == _cold(site, tmp_path / "cold")
    # Ended before its index caught up, the preview leaves a folder that the next build
    # does not take for up to date.
    site.write("content/world/port.en.md", article("Port Reopens", body="Only ferries.\n"))
    session.build(options, {str(saved.resolve())})
    session.close()
    assert site.build("-o", str(out)).code == 0
    assert tree(out) == _cold(site, tmp_path / "cold")


def _cold(site: Site, out: Path) -> dict[str, bytes]:
    import shutil

    shutil.rmtree(out, ignore_errors=True)
    assert site.build("--no-cache", "-o", str(out)).code == 0
    return tree(out)


# What Pagefind is given of a page -------------------------------------------------------------

TRICKY = {  # pages whose marks sit where a theme may put them
    "/no-lead/": '<!DOCTYPE html><html lang="en"><head><title>T</title><meta '
                 'data-pagefind-meta="social[content]" content="/s.jpg"></head><body>'
                 '<nav><img src="/logo.png" alt=""></nav><main><h1>Port <em>Reopens</em></h1>'
                 '<div data-pagefind-body><div><p>Ships are back.</p><div>In <b>Mariel</b>'
                 '</div></div><img src="/later.jpg" alt="A ship"></div>'
                 '<aside><span data-pagefind-filter="topic">Trade</span></aside>'
                 '<footer><p>Related: <img src="/related.jpg" alt=""></p></footer></main>'
                 '</body></html>',
    "/headline-inside/": '<!DOCTYPE html><html lang="es"><body><header>Diario</header>'
                         '<article\n data-pagefind-body data-pagefind-sort="weight:2">'
                         '<h1>Cae la zafra</h1><p>La zafra cayó.</p></article>'
                         '<p>Más en la portada.</p></body></html>',
}


def test_pagefind_makes_the_same_index_of_what_it_is_given_as_of_the_whole_page(
        tmp_path: Path) -> None:
    from sitegen.cli import main
    from sitegen.search import index_pages, searchable

    out = tmp_path / "example"
    assert main(["build", "-s", str(Path(__file__).resolve().parents[1]), "-o", str(out)]) == 0
    pages = sorted((f"/{p.parent.relative_to(out)}/", p.read_text("utf-8"))
                   for p in out.rglob("index.html") if "data-pagefind-body" in p.read_text())
    assert len(pages) > 10
    assert all(len(searchable(html)) < len(html) / 2 for _, html in pages)
    pages += sorted(TRICKY.items())
    assert index_pages([(url, searchable(html)) for url, html in pages]) == index_pages(pages)


def test_a_page_that_speaks_of_pagefind_is_given_whole() -> None:
    from sitegen.search import searchable

    prose = ('<html lang="en"><body><h1>How search works</h1><p>Mark the body with '
             'data-pagefind-body.</p><div data-pagefind-body><p>Text</p></div></body></html>')
    unclosed = '<html lang="en"><body><div data-pagefind-body><p>Cut short</body></html>'
    whole = '<html lang="en"><body data-pagefind-body><p>All of it</p></body></html>'
    for page in (prose, unclosed, whole):
        assert searchable(page) == page
    given = searchable(TRICKY["/no-lead/"])  # the first image after the h1, none before or later
    assert "/later.jpg" in given and "/logo.png" not in given and "/related.jpg" not in given


def test_an_index_with_several_filters_and_sorts_is_the_same_every_time() -> None:
    """Pagefind lists a language's filters in the order its threads finish them."""
    from sitegen.search import index_pages

    def page(n: int) -> str:
        return (f'<html lang="en"><body><h1 data-pagefind-sort="rank:{9 - n}">Story {n}</h1>'
                f'<div data-pagefind-body data-pagefind-sort="weight:{n}"><p>Words {_word(n)}.'
                f'</p><span data-pagefind-filter="section">S{n % 2}</span><span '
                f'data-pagefind-filter="topic">T{n % 3}</span><span data-pagefind-filter='
                f'"place">P{n}</span></div></body></html>')

    pages = [(f"/{n}/", page(n)) for n in range(8)]
    first = index_pages(pages)
    assert all(index_pages(pages) == first for _ in range(8))


def test_an_unchanged_part_of_the_index_is_left_where_it_is(
        make_site: Callable[..., Site], tmp_path: Path, monkeypatch: Any) -> None:
    """The tree kept beside the output already holds the index's files: an edit links none
    of a part it does not make again, and the new output is what a cold build writes."""
    from sitegen import write

    site = make_site(_harbour())
    assert site.build().code == 0
    assert site.build().code == 0  # the kept tree now mirrors the output
    linked: list[str] = []
    real = write._link

    def link(source: str, target: str) -> None:
        linked.append(target)
        real(source, target)

    monkeypatch.setattr(write, "_link", link)
    before = tree(site.public)
    site.write("content/world/s5.es.md", article(
        "Crónica 5", translation_key="s5", body="La crónica del muelle, corregida.\n"))
    assert site.build().code == 0
    after = tree(site.public)

    def part(path: str) -> str:  # the first part's files are in pagefind/ itself
        folder = path.split("/")[1]
        return folder if re.fullmatch(r"[a-z]+-\d+", folder) else "first"

    index = [p for p in after if p.startswith("pagefind/") and p.count("/") > 1]
    remade = {part(p) for p in index if before.get(p) != after[p]}
    kept = [p for p in index if part(p) not in remade]
    assert kept and not [t for t in linked if any(t.endswith(f"/{p}") for p in kept)]
    assert after == _cold(site, tmp_path / "cold")


def test_an_index_file_a_stopped_build_left_in_the_kept_tree_is_not_published(
        make_site: Callable[..., Site], tmp_path: Path) -> None:
    """A build stopped after Pagefind wrote into the kept tree leaves new bytes there under
    the output's names: the next build takes the output's file instead."""
    site = make_site(_harbour())
    assert site.build().code == 0
    assert site.build().code == 0
    cache = site.root / ".sitegen-cache"
    index = [p for p in site.public.rglob("pagefind/*/pagefind-entry.json")]
    assert index
    inode = index[0].stat().st_ino
    [kept] = [p for p in cache.rglob(index[0].name) if p.stat().st_ino == inode]
    kept.unlink()
    kept.write_bytes(b"{}")  # what a stopped build's Pagefind might have left
    site.write("content/world/s5.es.md", article(
        "Crónica 5", translation_key="s5", body="La crónica del muelle, corregida.\n"))
    assert site.build().code == 0
    assert tree(site.public) == _cold(site, tmp_path / "cold")
