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
                          capture_output=True, text=True, timeout=timeout)
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


def test_socket_in_static_is_reported(make_site, tmp_path):
    site = make_site(GOOD)
    (site.root / "static").mkdir()
    # A socket's path must be short: make it elsewhere and move it in.
    server = socket.socket(socket.AF_UNIX)
    short = Path(f"/tmp/sg-{os.getpid()}.sock")
    short.unlink(missing_ok=True)
    try:
        server.bind(str(short))
        shutil.move(short, site.root / "static" / "live.sock")
        result = site.build()
    finally:
        server.close()
        short.unlink(missing_ok=True)
    assert_fails_naming(result, "static/live.sock: error: not a regular file")


def test_link_loops_are_walked_once(make_site, tmp_path):
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
    (site.root / "content" / "wire").symlink_to("../shared/wire")
    (site.root / "static").mkdir()
    (site.root / "static" / "logo.txt").symlink_to("../assets/logo.txt")
    result = site.build()
    assert result.code == 0, result.err
    assert [p.parent.name for p in (site.public / "en" / "wire").glob("*/index.html")] \
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
    if setpriv is None or subprocess.run([*prefix, "true"], capture_output=True).returncode:
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
