"""The deploy scenario of the build benchmark: a fresh clone of the corpus site with the last
deploy's output and cache restored, one new story, timed, and its row in the tables."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from conftest import tree

from benchmarks.build_speed import (
    ARTICLE,
    COLD,
    CORPUS_SCRIPT,
    CPU_TIMES,
    DEPLOY,
    NO_CHANGE,
    STORY,
    TEMPLATE,
    Deploys,
    Samples,
    Sitegen,
    deploy_story,
    newest_date,
    published_stories,
    run_round,
    size_table,
)


def corpus(folder: Path, pairs: int = 6) -> Path:
    site = folder / "sitegen"
    subprocess.run([sys.executable, str(CORPUS_SCRIPT), "--pairs", str(pairs), "--seed", "3",
                    "--format", "sitegen", "--out", str(site)], check=True,
                   stdout=subprocess.DEVNULL)
    return site


def test_the_new_story_is_the_newest_in_the_section_of_the_runs_story(tmp_path: Path) -> None:
    site = corpus(tmp_path)
    story = published_stories(site)[0]
    path, text = deploy_story(site, story, 4)
    section = story.split("/")[0]
    assert path == f"content/{section}/deploy-run-4.en.md"
    assert f"section: {section}\n" in text
    newest = newest_date(site)
    assert f"date: {(newest + dt.timedelta(minutes=1)).isoformat()}\n" in text
    first_tag = (site / "content" / f"{story}.en.md").read_text("utf-8") \
        .split("\ntags:\n", 1)[1].splitlines()[0].strip().removeprefix("- ")
    assert f"tags: [{first_tag}]" in text


def test_the_new_story_stays_in_the_year_of_the_newest(tmp_path: Path) -> None:
    site = tmp_path / "sitegen"
    for name, date in (("a", "2023-12-31T23:59:30-05:00"), ("b", "2024-01-01T01:00:00+02:00"),
                       ("c", "2021-06-01")):
        (site / "content" / "world").mkdir(parents=True, exist_ok=True)
        (site / "content" / "world" / f"{name}.en.md").write_text(
            f"---\ntitle: {name}\ndate: {date}\n---\nBody.\n", "utf-8")
    assert newest_date(site).isoformat() == "2023-12-31T23:59:30-05:00"  # later in UTC
    _, text = deploy_story(site, "world/a", 1)
    assert "date: 2023-12-31T23:59:30-05:00\n" in text  # a minute more is another year


def test_each_deploy_clones_afresh_restores_the_last_one_and_adds_one_story(
        tmp_path: Path) -> None:
    site = corpus(tmp_path)
    stories = published_stories(site)
    deploys = Deploys(site, tmp_path / "deploys")
    samples = Samples()
    gen = Sitegen(site)
    for run in (1, 2):
        build = deploys.deploy(gen, stories[run], run, samples)
        assert build.error is None
    assert not samples.failures
    assert len(samples.values[("sitegen", DEPLOY.key)]) == 2
    assert len(samples.values[("sitegen", CPU_TIMES[DEPLOY].key)]) == 2

    clone = deploys.folder(gen)
    built = tree(clone / "public")
    pages = [path for path, data in built.items() if path.endswith("index.html")
             and b"A story filed after the last deploy" in data and b"<h1" in data]
    assert [path for path in pages if "run-2" in path]
    assert not any(b"after the last deploy, run 1" in data for data in built.values())
    # Each deploy is a clone of its own commit on top of the last deploy's; the corpus is as it
    # was, and the kept output is the last deploy's.
    log = subprocess.run(["git", "-C", str(clone), "log", "--format=%s"], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert log == ["A new story, run 2", "The corpus"]
    assert not list(site.rglob("deploy-run-*"))
    kept = tree(deploys.kept(gen) / "public")
    assert not any(b"A story filed after the last deploy" in data for data in kept.values())
    assert not (deploys.kept(gen) / ".sitegen-cache" / "trees").exists()


def test_the_deploy_row_is_held_against_the_peers_cold_build() -> None:
    samples = Samples()
    for value in (2.0, 3.0, 4.0):
        samples.add("sitegen", DEPLOY, value)
        samples.add("sitegen", CPU_TIMES[DEPLOY], value / 2)
        samples.add("hugo", COLD, 10.0)
        samples.add("hugo", CPU_TIMES[COLD], 5.0)
    table = size_table(samples, ["sitegen", "hugo"], {})
    assert "| deploy, one new story (s) | 3.00 | — | 0.30× |" in table
    assert "| deploy, one new story CPU (s) | 1.50 | — | 0.30× |" in table


def test_a_round_times_the_new_story_in_place_and_deployed_and_leaves_the_corpus_as_it_was(
        tmp_path: Path) -> None:
    site = corpus(tmp_path)
    before = {path: data for path, data in tree(site).items()}
    story = published_stories(site)[1]
    samples = Samples()
    summary = run_round(Sitegen(site), story, 1, samples,
                        deploys=Deploys(site, tmp_path / "deploys"))
    assert [line.split()[0] for line in summary] == ["cold", "no-change", "story", "article",
                                                     "template", "deploy", "-j"]
    assert not samples.failures
    for measure in (COLD, NO_CHANGE, STORY, ARTICLE, TEMPLATE, DEPLOY):
        assert len(samples.values[("sitegen", measure.key)]) == 1
        assert len(samples.values[("sitegen", CPU_TIMES[measure].key)]) == 1
    after = tree(site)
    assert {path: data for path, data in after.items() if path in before} == before
    assert not [path for path in after if "deploy-run" in path]
