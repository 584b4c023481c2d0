"""The output folder under attack and interruption: a poisoned manifest, concurrent builds,
builds killed at any moment. After each, the output is exactly an old tree or a new one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CONFIG, EPOCH, article, tree


def stories(count: int, headline: str = "Story") -> dict[str, str]:
    files = {}
    for i in range(count):
        body = f"{headline} {i} opens here.\n\n" + "Another paragraph of the story.\n\n" * 20
        date = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00-05:00"
        files[f"content/news/s{i:03d}.en.md"] = article(f"{headline} {i}", date, body,
                                                        tags="[cuba, trade]")
        files[f"content/news/s{i:03d}.es.md"] = article(f"Historia {i}", date, body,
                                                        tags="[cuba, comercio]")
    return files


def sitegen(*args: str) -> list[str]:
    return [sys.executable, "-m", "sitegen", *args]


def environment() -> dict[str, str]:
    return dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)


def without_manifest(files: dict[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in files.items() if path != ".sitegen-files"}


def leftovers(site_root: Path) -> list[str]:
    """Anything a build left beside the output folder (its cache folder aside)."""
    return sorted(p.name for p in site_root.iterdir()
                  if p.name.startswith(".public") or p.name.endswith(".sitegen-new"))


def assert_builds_like_a_clean_build(site, tmp_path: Path) -> None:
    assert site.build().code == 0
    clean = tmp_path / "clean"
    assert site.build("--no-cache", "-o", str(clean)).code == 0
    assert tree(site.public) == tree(clean)


def test_a_poisoned_manifest_deletes_nothing_outside_the_output(make_site, tmp_path):
    site = make_site({"content/news/a.en.md": article("Alpha"),
                      "content/news/b.en.md": article("Beta")})
    assert site.build().code == 0
    victims = [tmp_path / "victim.txt", site.root / "notes.txt",
               site.root / "sitegen.toml"]
    victims[0].write_text("keep me")
    victims[1].write_text("keep me too")
    manifest = site.public / ".sitegen-files"
    with manifest.open("a") as lines:
        lines.write("../../victim.txt\n../notes.txt\n/etc/hostname\n"
                    f"{victims[0]}\nen/../../sitegen.toml\n./index.html\n\n")
    (site.root / "content/news/b.en.md").unlink()  # the next build removes a page
    result = site.build()
    assert result.code == 0, result.err
    assert all(victim.exists() for victim in victims)
    assert Path("/etc/hostname").exists()
    assert not (site.public / "en/news/beta").exists()
    clean = make_site({"content/news/a.en.md": article("Alpha")},
                      name="clean")
    assert clean.build().code == 0
    assert without_manifest(tree(site.public)) == without_manifest(tree(clean.public))


def test_the_manifest_never_names_what_is_not_a_file_of_the_output(make_site):
    site = make_site({"content/news/a.en.md": article("Alpha")})
    assert site.build().code == 0
    written = (site.public / ".sitegen-files").read_text().splitlines()
    assert written and all(not line.startswith("/") and ".." not in line for line in written)
    assert sorted(written) == sorted(without_manifest(tree(site.public)))


def test_a_linked_output_folder_is_refused(make_site, tmp_path):
    site = make_site({"content/news/a.en.md": article("Alpha")})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (site.root / "public").symlink_to(elsewhere)
    result = site.build()
    assert result.code == 1
    assert "is a link" in result.err
    assert list(elsewhere.iterdir()) == []


def test_a_build_without_cache_leaves_nothing_beside_the_output(make_site):
    site = make_site(stories(3))
    for _ in range(2):
        assert site.build("--no-cache").code == 0
        site.write("content/news/s000.en.md", article("Changed", body="New body.\n"))
    assert leftovers(site.root) == []
    assert not (site.root / ".sitegen-cache").exists()


def test_a_failed_build_keeps_the_output_and_the_next_one_is_whole(make_site, tmp_path):
    site = make_site(stories(4))
    assert site.build().code == 0
    before = tree(site.public)
    site.write("content/news/s001.en.md", article("Edited", body="Edited body.\n"))
    site.write("themes/default/templates/article.html",
               '{% extends "base.html" %}{% block main %}{% if %}{% endblock %}')
    assert site.build().code == 1
    assert tree(site.public) == before
    (site.root / "themes/default/templates/article.html").unlink()
    assert_builds_like_a_clean_build(site, tmp_path)


def test_the_kept_tree_is_repaired_when_damaged(make_site, tmp_path):
    """The tree kept for the next build lives in the cache folder: damage there is a miss."""
    site = make_site(stories(4))
    for n in range(3):
        site.write("content/news/s000.en.md", article(f"Version {n}", body=f"Body {n}.\n"))
        assert site.build().code == 0
    kept = next((site.root / ".sitegen-cache/trees").iterdir())
    for path in sorted(p for p in kept.rglob("*") if p.is_file())[:5]:
        path.unlink()
        path.write_text("garbage")
    (kept / "en" / "planted.html").write_text("not ours")
    site.write("content/news/s000.en.md", article("Version 0", body="Body 0.\n"))
    assert_builds_like_a_clean_build(site, tmp_path)


def test_concurrent_builds_end_as_a_clean_build(make_site, tmp_path):
    site = make_site(stories(20))
    for round_ in range(3):
        site.write("content/news/s000.en.md",
                   article(f"Round {round_}", body=f"Round {round_} body.\n"))
        if round_ == 2:
            (site.root / "content/news/s005.en.md").unlink()
        builds = [subprocess.Popen(sitegen("build", "-s", str(site.root)), env=environment(),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                  for _ in range(3)]
        for build in builds:
            _, err = build.communicate(timeout=300)
            assert build.returncode == 0, err
        clean = tmp_path / f"clean{round_}"
        assert site.build("--no-cache", "-o", str(clean)).code == 0
        assert tree(site.public) == tree(clean)
        assert leftovers(site.root) == []


def test_a_second_build_waits_for_the_first(make_site):
    import fcntl

    site = make_site(stories(2))
    holder = os.open(site.root, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        waiting = subprocess.Popen(sitegen("build", "-s", str(site.root)), env=environment(),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(2)
        assert waiting.poll() is None  # still waiting
        assert not site.public.exists()
    finally:
        os.close(holder)
    _, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert "another build of this site is running" in err
    assert (site.public / "index.html").is_file()


def edit_few(site) -> None:
    """Some stories edited, one removed: a build that changes a tenth of the files."""
    for i in range(0, 40, 4):
        site.write(f"content/news/s{i:03d}.en.md", article(f"Changed {i}", body="Changed.\n"))
    (site.root / "content/news/s041.en.md").unlink()


def edit_all(site) -> None:
    """A new site title changes every page."""
    site.write("sitegen.toml", CONFIG.replace("The Island Post", "The Island Times"))


@pytest.mark.parametrize("edit", [edit_few, edit_all])
@pytest.mark.parametrize("delay", [0.3, 0.45, 0.6, 0.8, 1.1, 1.6])
def test_a_killed_build_leaves_the_old_tree_or_the_new_one(make_site, tmp_path, edit, delay):
    site = make_site(stories(100))
    assert site.build().code == 0
    old = tree(site.public)
    edit(site)
    new_dir = tmp_path / "new"
    assert site.build("--no-cache", "-o", str(new_dir)).code == 0
    new = tree(new_dir)
    assert old != new

    build = subprocess.Popen(sitegen("build", "-s", str(site.root), "-j", "2"),
                             env=environment(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(delay)
    os.killpg(build.pid, signal.SIGKILL)
    build.wait(timeout=60)
    now = tree(site.public)
    assert now == old or now == new, "the output is a mixture of two builds"

    assert site.build().code == 0
    assert tree(site.public) == new
    assert leftovers(site.root) == []
