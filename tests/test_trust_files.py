"""What a build reads is the site's own regular files, and a problem with one is an editor's
`path: error:` line: links out of the site, pipes, link loops, unreadable folders and files, a
damaged build cache, broken templates and catalogs."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Result, Site, article, tree

GOOD = {
    "content/world/story.en.md": article("A Story"),
    "content/world/story.es.md": article("Una historia"),
}


def errors(result: Result) -> list[str]:
    return [line for line in result.err.splitlines() if ": error: " in line]


def assert_fails_naming(result: Result, *lines: str) -> None:
    """Exit 1, no traceback, and each expected `path: error: …` start among the errors."""
    assert result.code == 1, result.out + result.err
    assert "Traceback" not in result.err
    found = errors(result)
    for start in lines:
        assert any(line.startswith(start) for line in found), (start, found)


def run_cli(site: Site, *args: str, timeout: float = 60,
            prefix: tuple[str, ...] = ()) -> Result:
    """`sitegen build` in its own process, so that a build that would hang fails the test."""
    done = subprocess.run([*prefix, sys.executable, "-m", "sitegen", "build", "-s",
                           str(site.root), *args],
                          capture_output=True, text=True, timeout=timeout, check=False)
    return Result(done.returncode, done.stdout, done.stderr)


# Links, pipes and loops ----------------------------------------------------------------------

def test_link_out_of_the_site_is_an_error_and_its_articles_are_not_read(make_site, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "intruder.en.md").write_text(article("Intruder"), "utf-8")
    site = make_site(GOOD)
    (site.root / "content" / "shared").symlink_to(outside)
    result = site.build()
    assert_fails_naming(result, "content/shared/: error: a link out of the site folder")
    assert not site.public.exists()


def test_link_to_the_root_folder_is_not_walked(make_site):
    site = make_site(GOOD)
    (site.root / "content" / "everything").symlink_to("/")
    result = run_cli(site, timeout=60)
    assert_fails_naming(result, "content/everything/: error: a link out of the site folder")
    assert len(errors(result)) == 1


def test_pipe_named_like_an_article_is_reported_not_opened(make_site):
    site = make_site(GOOD)
    os.mkfifo(site.root / "content" / "x.md")
    result = run_cli(site, timeout=60)  # a build that opened the pipe would wait forever
    assert_fails_naming(result, "content/x.md: error: not a regular file")
    assert len(errors(result)) == 1


def test_socket_in_static_is_reported(make_site, monkeypatch):
    site = make_site(GOOD)
    (site.root / "static").mkdir()
    monkeypatch.chdir(site.root / "static")  # a socket's path must be short: bind it relative
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind("live.sock")
        result = site.build()
    finally:
        server.close()
    assert_fails_naming(result, "static/live.sock: error: not a regular file")


def test_link_loops_are_walked_once(make_site):
    site = make_site(GOOD)
    (site.root / "content" / "loop").symlink_to(".")
    (site.root / "content" / "world" / "up").symlink_to("..")
    result = run_cli(site, timeout=60)
    assert result.code == 0, result.err
    assert result.err == ""
    plain = make_site(GOOD, name="plain")
    assert plain.build().code == 0
    assert tree(site.public) == tree(plain.public)


def test_links_inside_the_site_are_followed(make_site):
    site = make_site({**GOOD, "shared/wire/report.en.md": article("Wire Report"),
                      "assets/logo.txt": "logo\n"})
    (site.root / "content" / "news").symlink_to("../shared/wire")
    (site.root / "static").mkdir()
    (site.root / "static" / "logo.txt").symlink_to("../assets/logo.txt")
    result = site.build()
    assert result.code == 0, result.err
    assert [p.parent.name for p in (site.public / "en" / "news").glob("*/index.html")] \
        == ["wire-report"]
    assert site.read("logo.txt") == "logo\n"


def test_static_link_to_an_outside_file_is_not_copied(make_site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the public\n", "utf-8")
    site = make_site(GOOD)
    assert site.build().code == 0
    before = tree(site.public)
    (site.root / "static").mkdir()
    (site.root / "static" / "notes.txt").symlink_to(secret)
    result = site.build()
    assert_fails_naming(result, "static/notes.txt: error: a link out of the site folder")
    assert tree(site.public) == before


def test_theme_and_catalog_links_out_of_the_site_are_errors(make_site, tmp_path):
    outside = tmp_path / "outside.html"
    outside.write_text("{{ 1 }}\n", "utf-8")
    site = make_site(GOOD)
    templates = site.root / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    (templates / "article.html").symlink_to(outside)
    catalog = site.root / "locales" / "es" / "LC_MESSAGES"
    catalog.mkdir(parents=True)
    (catalog / "messages.po").symlink_to(outside)
    result = site.build()
    assert_fails_naming(
        result,
        "themes/default/templates/article.html: error: a link out of the site folder",
        "locales/es/LC_MESSAGES/messages.po: error: a link out of the site folder")


def test_pipe_as_catalog_or_template_is_reported(make_site):
    site = make_site(GOOD)
    templates = site.root / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    os.mkfifo(templates / "article.html")
    catalog = site.root / "locales" / "es" / "LC_MESSAGES"
    catalog.mkdir(parents=True)
    os.mkfifo(catalog / "messages.po")
    result = run_cli(site, timeout=60)
    assert_fails_naming(result,
                        "themes/default/templates/article.html: error: not a regular file",
                        "locales/es/LC_MESSAGES/messages.po: error: not a regular file")


# Folders and files that cannot be read --------------------------------------------------------

def _unprivileged() -> tuple[str, ...]:
    """A command prefix that runs without the power to read any file (root's), or () when the
    tests run as an ordinary user already."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    drop = "-dac_override,-dac_read_search"
    prefix = (setpriv or "setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}")
    if setpriv is None or subprocess.run([*prefix, "true"], check=False).returncode:
        pytest.skip("running as root, and root's power to read every file cannot be dropped")
    return prefix


def test_unreadable_folder_is_an_error_naming_it(make_site):
    site = make_site({**GOOD, "content/secret/hidden.en.md": article("Hidden")})
    folder = site.root / "content" / "secret"
    folder.chmod(0)
    try:
        result = run_cli(site, prefix=_unprivileged())
    finally:
        folder.chmod(0o755)
    assert_fails_naming(result, "content/secret/: error: cannot read this folder")
    assert not site.public.exists()


def test_every_unreadable_file_is_reported_by_its_path_in_the_site(make_site):
    site = make_site({**GOOD, "content/a.en.md": article("A"), "content/b/c.es.md":
                      article("C"), "static/d.txt": "d\n",
                      "themes/default/templates/e.html": "e\n"})
    locked = ["content/a.en.md", "content/b/c.es.md", "themes/default/templates/e.html"]
    for rel in locked:
        (site.root / rel).chmod(0)
    try:
        result = run_cli(site, prefix=_unprivileged())
    finally:
        for rel in locked:
            (site.root / rel).chmod(0o644)
    assert_fails_naming(result, *(f"{rel}: error: cannot read" for rel in locked))
    assert str(site.root) not in result.err


def test_problems_of_every_kind_are_reported_together(make_site):
    """As root too: links to nothing and pipes cannot be read by anyone."""
    site = make_site(GOOD)
    (site.root / "content" / "gone.en.md").symlink_to("nowhere.en.md")
    (site.root / "static").mkdir()
    (site.root / "static" / "gone.png").symlink_to("nowhere.png")
    os.mkfifo(site.root / "content" / "world" / "pipe.es.md")
    (site.root / "content" / "folder.md").mkdir()  # a folder named like an article is a folder
    (site.root / "content" / "folder.md" / "inside.en.md").write_text(article("Inside"))
    result = site.build()
    assert_fails_naming(result, "content/gone.en.md: error: a link to nothing",
                        "static/gone.png: error: a link to nothing",
                        "content/world/pipe.es.md: error: not a regular file")
    assert len(errors(result)) == 3


# A damaged build cache is a miss -------------------------------------------------------------

CACHE = ".sitegen-cache"


def newsroom(stories: int = 6, paragraphs: int = 1) -> dict[str, str]:
    body = "".join(f"Paragraph {n} of the story, with some words in it.\n\n"
                   for n in range(paragraphs))
    files = {}
    for i in range(stories):
        for lang, title in (("en", f"Story {i}"), ("es", f"Historia {i}")):
            files[f"content/world/story-{i:02d}.{lang}.md"] = article(
                title, f"2024-03-{1 + i % 28:02d}T10:00:00-05:00", f"{title}.\n\n{body}",
                tags="[cuba]")
    return files


def cold(site: Site) -> dict[str, bytes]:
    out = site.root.parent / f"cold-{len(list(site.root.parent.iterdir()))}"
    result = site.build("--no-cache", "-j", "1", "-o", str(out))
    assert result.code == 0, result.err
    return tree(out)


def cache_files(site: Site) -> list[Path]:
    """Every file the cache keeps (the preview's output folder is not the cache's, and the tree
    kept beside the output mirrors it: its files are the output's own, by links)."""
    return sorted(p for p in (site.root / CACHE).rglob("*")
                  if p.is_file() and not {"preview", "trees"} &
                  set(p.relative_to(site.root / CACHE).parts))


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


def _emptied(path: Path) -> None:
    path.write_bytes(b"")


def _folder_instead(path: Path) -> None:
    path.unlink()
    (path / "inside").mkdir(parents=True)


def _no_permissions(path: Path) -> None:
    path.chmod(0)


DAMAGE = {"truncated": _truncated, "random bytes": _random_bytes, "zero length": _emptied,
          "a folder in its place": _folder_instead, "no permissions": _no_permissions}


def assert_builds_like_cold(site: Site) -> None:
    result = site.build()
    assert result.code == 0, result.err
    assert "Traceback" not in result.err and ": error:" not in result.err
    assert tree(site.public) == cold(site)


@pytest.mark.parametrize("damage", DAMAGE)
def test_any_damage_to_any_cache_file_is_a_miss(make_site, damage):
    site = make_site(newsroom())
    assert site.build().code == 0
    damaged = cache_files(site)
    # The database, the compiled templates and catalogs.
    assert {p.parent.name for p in damaged} == {CACHE, "templates", "catalogs"}
    for path in damaged:
        DAMAGE[damage](path)
    assert_builds_like_cold(site)
    site.write("content/world/story-01.en.md", article("Story 1, revised"))
    assert_builds_like_cold(site)
    elsewhere = site.root.parent / "elsewhere"  # every page rendered with the cache as it is
    assert site.build("-o", str(elsewhere)).code == 0
    assert tree(elsewhere) == tree(site.public)


@pytest.mark.parametrize("part", [CACHE, f"{CACHE}/templates", f"{CACHE}/catalogs",
                                  f"{CACHE}/trees"])
def test_a_file_in_place_of_a_cache_folder_is_a_miss(make_site, part):
    site = make_site(newsroom())
    assert site.build().code == 0
    shutil.rmtree(site.root / part)
    (site.root / part).write_bytes(b"not a folder")
    assert_builds_like_cold(site)


def test_damaged_compiled_code_is_never_run(make_site):
    """Jinja checks a compiled template's header and its source's checksum, not the code:
    changed code bytes behind an intact header could crash the interpreter."""
    site = make_site(newsroom())
    assert site.build().code == 0
    compiled = cache_files(site)
    compiled = [p for p in compiled if p.parent.name == "templates"]
    assert compiled
    for path in compiled:
        data = bytearray(path.read_bytes())
        for n in range(len(data) // 2, len(data), 7):
            data[n] ^= 0x5A
        path.write_bytes(bytes(data))
    result = run_cli(site, "-o", str(site.root.parent / "again"))
    assert result.code == 0, result.err
    assert tree(site.root.parent / "again") == cold(site)


def _sitegen_copy(tmp_path: Path) -> dict[str, str]:
    """The environment of a `python -m sitegen` run from a copy of this code, to change."""
    source = Path(__file__).resolve().parent.parent
    code = tmp_path / "code"
    shutil.copytree(source / "sitegen", code / "sitegen",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for folder in ("themes", "locales"):
        shutil.copytree(source / folder, code / folder)
    return dict(os.environ, PYTHONPATH=str(code))


def _change_code(env: dict[str, str], addition: str) -> None:
    """Append `addition` to the copy's render.py; its version number stays the same."""
    with (Path(env["PYTHONPATH"]) / "sitegen" / "render.py").open("a", encoding="utf-8") as f:
        f.write("\n" + addition)


def _build_with(site: Site, env: dict[str, str], *args: str) -> Result:
    done = subprocess.run([sys.executable, "-m", "sitegen", "build", "-s", str(site.root),
                           "-j", "1", *args], capture_output=True, text=True, env=env,
                          timeout=120, cwd=env["PYTHONPATH"], check=False)
    assert done.returncode == 0, done.stderr
    return Result(done.returncode, done.stdout, done.stderr)


def test_the_cache_of_other_code_is_not_used(make_site, tmp_path):
    site = make_site(newsroom())
    code = _sitegen_copy(tmp_path)
    _build_with(site, code)
    # Code that writes different pages: every page the cache holds is out of date.
    _change_code(code, "_render = Renderer.render\n"
                       "Renderer.render = lambda self, *args: _render(self, *args) + b'<!-- 2 -->'")
    _build_with(site, code)
    _build_with(site, code, "--no-cache", "-o", str(tmp_path / "cold-2"))
    assert tree(site.public) == tree(tmp_path / "cold-2")
    assert site.read("en/index.html").endswith("<!-- 2 -->")
    # Code that compiles templates differently: compiled templates are out of date too.
    _change_code(code, 'SYNTAX["trim_blocks"] = False\n')
    _build_with(site, code)
    _build_with(site, code, "--no-cache", "-o", str(tmp_path / "cold-3"))
    assert tree(site.public) == tree(tmp_path / "cold-3")


# A cache that cannot be written never fails a build --------------------------------------------

def test_full_disk_while_updating_the_cache_is_a_warning(make_site):
    site = make_site(newsroom(stories=40, paragraphs=40))
    assert site.build().code == 0
    largest = max(p.stat().st_size for p in site.public.rglob("*")
                  if p.is_file() and "pagefind" not in p.parts)
    assert (site.root / CACHE / "cache.sqlite").stat().st_size > 3 * largest
    for rel in newsroom(stories=40):  # every article changes: the cache must store them all
        path = site.root / rel
        path.write_text(path.read_text("utf-8") + "One more line.\n", "utf-8")

    def small_disk() -> None:  # no file may grow past the biggest page: the cache cannot
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        limit = largest + 16384
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run([sys.executable, "-m", "sitegen", "build", "-s", str(site.root),
                           "-j", "1"], capture_output=True, text=True, timeout=120,
                          preexec_fn=small_disk, check=False)
    assert done.returncode == 0, done.stderr
    warnings = done.stderr.splitlines()
    assert len(warnings) == 1, done.stderr
    assert warnings[0].startswith("sitegen: warning: could not update the build cache: ")
    assert tree(site.public) == cold(site)
    assert_builds_like_cold(site)  # the next build just does more work


# Broken templates and catalogs are an editor's errors --------------------------------------------

ARTICLE_TEMPLATE = "themes/default/templates/article.html"


def with_line(template: str, line: str, at: int = 4) -> str:
    """The bundled article template with `line` inserted as line `at` (in its head block)."""
    from sitegen.discover import bundled_dir

    lines = (bundled_dir() / ARTICLE_TEMPLATE).read_text("utf-8").splitlines(keepends=True)
    return "".join(lines[: at - 1] + [line + "\n"] + lines[at - 1:])


def test_template_that_is_not_utf8_is_named(make_site):
    site = make_site(GOOD)
    path = site.root / "themes" / "default" / "templates" / "x.html"
    path.parent.mkdir(parents=True)
    path.write_bytes("<p>\nCaf\xe9</p>\n".encode("latin-1"))
    result = site.build()
    assert_fails_naming(result, "themes/default/templates/x.html:2: error: not UTF-8 text")


@pytest.mark.parametrize(("line", "message"), [
    ("{{ 1/0 }}", "ZeroDivisionError: division by zero"),
    ('{{ article.title|truncate("a") }}', "TypeError"),
    ("{% macro again() %}{{ again() }}{% endmacro %}{{ again() }}",
     "a macro or include calls itself without end"),
    ("{{ no_such_thing }}", "'no_such_thing' is undefined"),
    ('{% include "missing.html" %}', "template 'missing.html' not found"),
    ("{% if %}", "Expected an expression"),
])
def test_template_errors_name_the_file_line_and_page(make_site, line, message):
    site = make_site({**GOOD, ARTICLE_TEMPLATE: with_line(ARTICLE_TEMPLATE, line)})
    result = site.build()
    assert_fails_naming(result, f"{ARTICLE_TEMPLATE}:4: error: {message}")
    assert len(errors(result)) == 1  # once, however many pages it broke
    assert "(while rendering /en/world/" in result.err and "and 1 other page)" in result.err


def test_endless_include_names_the_included_template(make_site):
    site = make_site({**GOOD, ARTICLE_TEMPLATE: with_line(ARTICLE_TEMPLATE,
                                                          '{% include "again.html" %}'),
                      "themes/default/templates/again.html": "<p>\n{% include 'again.html' %}\n"})
    result = site.build()
    assert_fails_naming(result, "themes/default/templates/again.html:2: error: a macro or "
                                "include calls itself without end")


def test_template_errors_in_worker_processes_come_back_as_diagnostics(make_site):
    site = make_site({**newsroom(stories=60),
                      ARTICLE_TEMPLATE: with_line(ARTICLE_TEMPLATE, "{{ 1/0 }}", at=4)})
    result = site.build("-j", "2")  # enough pages for two processes
    assert_fails_naming(result, f"{ARTICLE_TEMPLATE}:4: error: ZeroDivisionError")
    assert "and 119 other pages)" in result.err
    assert len(errors(result)) == 1


def test_malformed_plural_forms_is_an_error_on_its_line(make_site):
    from sitegen.discover import bundled_dir

    catalog = (bundled_dir() / "locales/es/LC_MESSAGES/messages.po").read_text("utf-8")
    lines = catalog.splitlines()
    start = next(n for n, text in enumerate(lines) if text.startswith('"Plural-Forms:'))
    end = next(n for n in range(start, len(lines)) if lines[n].endswith('\\n"'))
    lines[start:end + 1] = ['"Plural-Forms: nplurals=3; plural=(n >;\\n"']
    site = make_site({**GOOD, "locales/es/LC_MESSAGES/messages.po": "\n".join(lines) + "\n"})
    for command in ("build", "check"):
        result = site.runner(command, "-s", str(site.root))
        out = result.err if command == "build" else result.out
        assert result.code == 1 and "Traceback" not in result.err, result.err
        assert f"locales/es/LC_MESSAGES/messages.po:{start + 1}: error: invalid catalog: " \
               "Plural-Forms" in out, out
