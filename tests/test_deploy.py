"""A deploy as a hosting service runs it: a fresh clone of the site's repository, whose files all
have new times, with the output and the build cache of the last deploy restored beside it (the
way Netlify's build cache restores folders: copied, times kept or not). The build must write what
a cold build writes, and cost what the change costs."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import JPEG, Tags, article, hreflangs, photo, tree

from sitegen.assemble import BuildOptions, build_clock
from sitegen.build import BuildResult, build
from sitegen.errors import BuildFailed

CONFIG = """\
[site]
base_url = "https://news.example.org"
default_language = "en"
languages = ["en", "es"]
timezone = "America/Havana"
theme = "default"
per_page = 2

[languages.en]
title = "The Island Post"
sections = { americas = "Americas", economy = "Economy" }

[languages.es]
title = "El Post de la Isla"
sections = { americas = "Américas", economy = "Economía" }
"""
PREVIEW = "https://deploy-preview-42--island-post.netlify.app"
NEW_STORY = "content/americas/ferry.en.md"
SUGAR = "content/economy/sugar.en.md"
CACHED = ("public", ".sitegen-cache")  # what netlify.toml keeps between deploys


def newsroom() -> dict[str, str | bytes]:
    """A small bilingual site with what a deploy must carry over: pages in both languages,
    listings that paginate, a photo beside its story, a picture of static/, copied files."""
    return {
        "sitegen.toml": CONFIG,
        ".gitignore": "public/\n.sitegen-cache/\n",
        SUGAR: article("Sugar Harvest Falls", "2015-01-12", translation_key="sugar",
                       tags="[cuba, sugar]", image="cane.jpg", image_alt="Cane fields"),
        "content/economy/sugar.es.md": article("Cae la zafra", "2015-01-12",
                                               translation_key="sugar", tags="[cuba]"),
        "content/economy/cane.jpg": JPEG,
        "content/economy/rates.en.md": article(
            "Rates Rise", "2015-02-03", body="The map:\n\n![Map](/images/map.jpg)\n"),
        "content/americas/vote.en.md": article("The Vote", "2015-03-01", translation_key="vote"),
        "content/americas/vote.es.md": article("La votación", "2015-03-01",
                                               translation_key="vote"),
        "static/images/map.jpg": photo(80, 50),
        "static/favicon.ico": b"\0\0\1\0",
    }


@dataclass
class Work:
    """What one build did, as its progress and its report tell: how many articles it parsed,
    pages it rendered, images it made, and which files it wrote or removed."""

    totals: dict[str, int] = field(default_factory=dict)
    result: BuildResult | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.totals[stage] = max(total, self.totals.get(stage, 0))

    @property
    def renewed(self) -> set[str]:
        assert self.result is not None
        return set(self.result.report.renewed)


@dataclass
class Desk:
    """The site's repository (`origin`) and the folder the host clones it into for each
    deploy, where every build runs, as on a build server."""

    origin: Path
    build_dir: Path
    cache: Path  # what the host keeps between deploys
    git: Callable[..., str]

    def write(self, rel: str, text: str | bytes) -> None:
        path = self.origin / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, "utf-8")

    def commit(self, message: str) -> None:
        self.git(self.origin, "add", "-A")
        self.git(self.origin, "commit", "-q", "-m", message)

    def clone(self, *options: str) -> Path:
        """A fresh clone, where the last deploy's was: every file of it new."""
        shutil.rmtree(self.build_dir, ignore_errors=True)
        self.git(self.origin.parent, "clone", "-q", *options, f"file://{self.origin}",
                 str(self.build_dir))
        return self.build_dir

    def save(self) -> None:
        """The host keeps the output and the cache after a deploy (times and all)."""
        shutil.rmtree(self.cache, ignore_errors=True)
        for name in CACHED:
            shutil.copytree(self.build_dir / name, self.cache / name, symlinks=True)

    def restore(self, keep_times: bool) -> None:
        """The host puts them back into the fresh clone: a copy, with new times unless kept."""
        copy = shutil.copy2 if keep_times else shutil.copyfile
        for name in CACHED:
            shutil.copytree(self.cache / name, self.build_dir / name, symlinks=True,
                            copy_function=copy)

    def build(self, *, base_url: str | None = None, out: Path | None = None,
              use_cache: bool = True) -> Work:
        work = Work()
        work.result = build(self.build_dir, BuildOptions(now=build_clock()), out, base_url,
                            jobs=1, use_cache=use_cache, progress=work)
        return work

    def cold(self, out: Path, base_url: str | None = None) -> dict[str, bytes]:
        """What a cold build of the clone as it is writes: no cache, an empty output."""
        self.build(base_url=base_url, out=out, use_cache=False)
        return tree(out)


@pytest.fixture
def desk(tmp_path: Path, git: Callable[..., str]) -> Iterator[Desk]:
    desk = Desk(tmp_path / "origin", tmp_path / "repo", tmp_path / "host-cache", git)
    desk.origin.mkdir()
    git(desk.origin, "init", "-q")
    for rel, text in newsroom().items():
        desk.write(rel, text)
    desk.commit("The site")
    yield desk


def first_deploy(desk: Desk) -> Work:
    desk.clone()
    work = desk.build()
    desk.save()
    return work


def ferry(title: str = "Ferry Service Resumes") -> str:
    return article(title, "2015-03-05", translation_key="ferry", tags="[cuba]")


# The deploy of a new story --------------------------------------------------------------------

@pytest.mark.parametrize("keep_times", [False, True], ids=["new-times", "times-kept"])
def test_a_deploy_from_the_last_one_writes_what_a_cold_build_does_at_the_cost_of_the_edit(
        desk: Desk, tmp_path: Path, keep_times: bool) -> None:
    first_deploy(desk)
    # What the same edit costs where nothing was cloned or restored: the one-edit build.
    (desk.build_dir / NEW_STORY).write_text(ferry(), "utf-8")
    edit = desk.build()
    edited = tree(desk.build_dir / "public")

    desk.write(NEW_STORY, ferry())
    desk.commit("A new story")
    desk.clone()
    desk.restore(keep_times)
    deploy = desk.build()

    output = tree(desk.build_dir / "public")
    assert output == desk.cold(tmp_path / "cold")
    assert output == edited
    assert deploy.totals.get("parsing") == 1  # the new story; the others come from the cache
    assert deploy.totals.get("rendering") == edit.totals.get("rendering")
    assert "images" not in deploy.totals  # the photos' files are not made again
    assert deploy.renewed == edit.renewed
    assert deploy.result is not None
    assert deploy.result.report.written == len(deploy.renewed) - deploy.result.report.removed
    total = len(output) - 1  # the manifest of what sitegen wrote is not counted
    assert 0 < deploy.totals["rendering"] < total / 2
    assert deploy.result.report.unchanged == total - deploy.result.report.written


def kept_tree(site: Path) -> Path:
    """The tree kept beside the output for the next build, in the cache folder."""
    (tree_dir,) = (site / ".sitegen-cache" / "trees").iterdir()
    return tree_dir


def mirrors(kept: Path, out: Path) -> bool:
    """Whether `kept` holds the output's very files (links to them), and nothing else."""
    files = {p.relative_to(out) for p in out.rglob("*") if p.is_file()}
    return files == {p.relative_to(kept) for p in kept.rglob("*") if p.is_file()} and \
        all(os.path.samefile(out / f, kept / f) for f in files)


@pytest.mark.parametrize("with_stale_tree", [False, True],
                         ids=["tree-not-kept", "stale-tree-restored"])
def test_a_deploy_leaves_the_tree_the_next_build_starts_from(
        desk: Desk, tmp_path: Path, with_stale_tree: bool) -> None:
    """The host keeps the output but not the tree kept beside it (the plugin drops it), or a
    copy of it that no longer holds the output's files: the deploy makes it anew, so that the
    build after it, here or on a developer's machine, costs what it changes."""
    first_deploy(desk)
    if not with_stale_tree:
        shutil.rmtree(desk.cache / ".sitegen-cache" / "trees")
    desk.write(NEW_STORY, ferry())
    desk.commit("A new story")
    desk.clone()
    desk.restore(keep_times=False)
    desk.build()
    out = desk.build_dir / "public"
    assert tree(out) == desk.cold(tmp_path / "cold")
    assert mirrors(kept_tree(desk.build_dir), out)

    (desk.build_dir / NEW_STORY).write_text(ferry("Ferry Service Resumes Today"), "utf-8")
    edit = desk.build()
    assert edit.totals.get("parsing") == 1
    assert tree(out) == desk.cold(tmp_path / "cold-after-edit")
    assert mirrors(kept_tree(desk.build_dir), out)


def test_a_deploy_that_fails_leaves_the_restored_output_as_it_was(desk: Desk,
                                                                    tmp_path: Path) -> None:
    first_deploy(desk)
    shutil.rmtree(desk.cache / ".sitegen-cache" / "trees")
    desk.write(NEW_STORY, "---\ntitle: [unclosed\n---\nText.\n")
    desk.commit("A broken story")
    desk.clone()
    desk.restore(keep_times=False)
    before = tree(desk.build_dir / "public")
    with pytest.raises(BuildFailed):
        desk.build()
    assert tree(desk.build_dir / "public") == before

    (desk.build_dir / NEW_STORY).write_text(ferry(), "utf-8")
    desk.build()
    out = desk.build_dir / "public"
    assert tree(out) == desk.cold(tmp_path / "cold")
    assert mirrors(kept_tree(desk.build_dir), out)


def test_a_deploy_with_nothing_new_renders_nothing(desk: Desk) -> None:
    first_deploy(desk)
    before = tree(desk.cache / "public")
    desk.clone()
    desk.restore(keep_times=False)
    again = desk.build()
    assert "rendering" not in again.totals and "parsing" not in again.totals
    assert again.result is not None and again.result.report.written == 0
    assert tree(desk.build_dir / "public") == before
    # The output's new times are recorded: the next build does not read its files again.
    assert "rendering" not in desk.build().totals


def test_an_edited_static_file_and_a_replaced_photo_are_published(desk: Desk,
                                                                   tmp_path: Path) -> None:
    first_deploy(desk)
    desk.write("static/favicon.ico", b"\0\0\1\0\1")
    desk.write("content/economy/cane.jpg", photo(70, 40))
    desk.commit("A new icon and a new photo")
    desk.clone()
    desk.restore(keep_times=False)
    deploy = desk.build()
    output = tree(desk.build_dir / "public")
    assert output == desk.cold(tmp_path / "cold")
    assert output["favicon.ico"] == b"\0\0\1\0\1"
    assert deploy.totals["images"] == 1  # the new photo's files only
    assert "images/map.jpg" not in deploy.renewed


def test_a_restored_output_file_that_is_not_what_the_cache_says_is_written_again(
        desk: Desk, tmp_path: Path) -> None:
    first_deploy(desk)
    page = desk.cache / "public" / "en" / "economy" / "sugar-harvest-falls" / "index.html"
    text = page.read_text("utf-8")
    page.write_text(text.replace("Sugar Harvest Falls", "Sugar Harvest Fell!"), "utf-8")
    (desk.cache / "public" / "favicon.ico").unlink()
    desk.write(NEW_STORY, ferry())
    desk.commit("A new story")
    desk.clone()
    desk.restore(keep_times=False)
    deploy = desk.build()
    assert tree(desk.build_dir / "public") == desk.cold(tmp_path / "cold")
    assert {"en/economy/sugar-harvest-falls/index.html", "favicon.ico"} <= deploy.renewed


def test_a_deploy_without_a_restored_output_builds_it_all(desk: Desk, tmp_path: Path) -> None:
    first_deploy(desk)
    shutil.rmtree(desk.cache / "public")
    desk.clone()
    shutil.copytree(desk.cache / ".sitegen-cache", desk.build_dir / ".sitegen-cache",
                    copy_function=shutil.copyfile)
    deploy = desk.build()
    output = tree(desk.build_dir / "public")
    assert output == desk.cold(tmp_path / "cold")
    assert deploy.result is not None and deploy.result.report.written == len(output) - 1


# Deploy previews and branch deploys -----------------------------------------------------------

def test_a_deploy_preview_on_the_production_output_has_its_own_urls(desk: Desk,
                                                                     tmp_path: Path) -> None:
    first_deploy(desk)
    desk.write(NEW_STORY, ferry())
    desk.commit("A new story, for review")
    desk.clone()
    desk.restore(keep_times=False)
    preview = desk.build(base_url=PREVIEW)
    output = tree(desk.build_dir / "public")
    assert output == desk.cold(tmp_path / "cold", base_url=PREVIEW)
    assert not [path for path, data in output.items() if b"news.example.org" in data]
    page = output["en/americas/ferry-service-resumes/index.html"].decode()
    assert Tags(page).find("link", rel="canonical")[0]["href"] == \
        f"{PREVIEW}/en/americas/ferry-service-resumes/"
    assert hreflangs(output["en/economy/sugar-harvest-falls/index.html"].decode())["es"] == \
        f"{PREVIEW}/es/economia/cae-la-zafra/"
    assert "images" not in preview.totals  # what does not depend on the address is kept
    assert "images/map.jpg" not in preview.renewed

    # Production again, on what the preview left: its own URLs everywhere once more.
    desk.build()
    assert tree(desk.build_dir / "public") == desk.cold(tmp_path / "cold-production")


# Redirects from a shallow clone ---------------------------------------------------------------

def rules(folder: Path) -> list[str]:
    redirects = folder / "public" / "_redirects"
    return redirects.read_text("utf-8").splitlines() if redirects.exists() else []


OLD_TO_NEW = "/en/economy/sugar-harvest-falls/ /en/economy/sugar-harvest-falls-sharply/ 301"


def test_a_shallow_clone_keeps_the_redirects_the_last_deploy_published(desk: Desk) -> None:
    desk.write(SUGAR, article("Sugar Harvest Falls Sharply", "2015-01-12",
                              translation_key="sugar", tags="[cuba, sugar]", image="cane.jpg",
                              image_alt="Cane fields"))
    desk.commit("Correct the headline")
    first = first_deploy(desk)  # a whole clone: every URL of the history
    assert rules(desk.build_dir) == [OLD_TO_NEW]
    assert first.result is not None and not first.result.warnings

    desk.write(NEW_STORY, ferry())
    desk.commit("A new story")
    desk.clone("--depth", "1")  # a history of one commit, which holds no old URL
    desk.restore(keep_times=False)
    deploy = desk.build()
    assert rules(desk.build_dir) == [OLD_TO_NEW]
    assert deploy.result is not None and not deploy.result.warnings
    desk.save()

    # A headline corrected since, in another commit the clone of depth one does not hold:
    # the URL the last deploy published redirects too.
    desk.write(NEW_STORY, ferry("Ferry Service Resumes at Last"))
    desk.commit("Correct the new headline")
    desk.clone("--depth", "1")
    desk.restore(keep_times=True)
    again = desk.build()
    assert rules(desk.build_dir) == [
        "/en/americas/ferry-service-resumes/ /en/americas/ferry-service-resumes-at-last/ 301",
        OLD_TO_NEW]
    assert again.result is not None and not again.result.warnings
    redirect = (desk.build_dir / "public" / "en" / "americas" / "ferry-service-resumes"
                / "index.html").read_text("utf-8")
    assert "/en/americas/ferry-service-resumes-at-last/" in redirect


def test_a_shallow_clone_without_a_whole_history_behind_it_still_says_so(desk: Desk) -> None:
    desk.write(SUGAR, article("Sugar Harvest Falls Sharply", "2015-01-12",
                              translation_key="sugar", tags="[cuba, sugar]"))
    desk.commit("Correct the headline")
    desk.clone("--depth", "1")  # the first deploy already shallow
    first = desk.build()
    desk.save()
    assert rules(desk.build_dir) == []
    assert first.result is not None
    assert any("shallow" in warning for warning in first.result.warnings)

    desk.write(NEW_STORY, ferry())
    desk.commit("A new story")
    desk.clone("--depth", "1")
    desk.restore(keep_times=False)
    deploy = desk.build()
    assert deploy.result is not None
    assert [w for w in deploy.result.warnings if "git fetch --unshallow" in w]


# The Netlify build plugin -----------------------------------------------------------------------

PLUGIN = Path(__file__).resolve().parents[1] / "netlify" / "plugins" / "sitegen"
# Runs one event of the plugin as Netlify Build does, with `utils.cache` copying folders the way
# @netlify/cache-utils does (fs.cp: new times; restore replaces what is there) and `utils.run`
# running a command as its execa wrapper does.
NETLIFY = """\
const { cp, rm, stat } = require('node:fs/promises')
const { spawnSync } = require('node:child_process')
const { resolve, join } = require('node:path')
const [pluginDir, event, cacheDir] = process.argv.slice(2)
const exists = (path) => stat(path).then(() => true, () => false)
const each = async (paths, one) => (await Promise.all([].concat(paths).map(one))).some(Boolean)
const cached = (path) => join(cacheDir, resolve(path).replace(process.cwd(), 'cwd'))
const cache = {
  restore: (paths) => each(paths, async (path) => {
    if (!(await exists(cached(path)))) return false
    await rm(path, { recursive: true, force: true })
    await cp(cached(path), path, { recursive: true })
    return true
  }),
  save: (paths) => each(paths, async (path) => {
    if (!(await exists(path))) return false
    await rm(cached(path), { recursive: true, force: true })
    await cp(path, cached(path), { recursive: true })
    return true
  }),
}
const run = async (command, args, options = {}) => {
  const done = spawnSync(command, args, { encoding: 'utf8' })
  const result = { exitCode: done.status, stdout: done.stdout || '', stderr: done.stderr || '' }
  if (result.exitCode !== 0 && options.reject !== false) throw new Error(result.stderr)
  return result
}
require(pluginDir)[event]({ constants: { PUBLISH_DIR: 'public' }, utils: { cache, run } })
  .catch((error) => { console.error(error); process.exit(1) })
"""


@dataclass
class Netlify:
    """Netlify Build's part of a deploy: the plugin's events around the build."""

    desk: Desk
    harness: Path
    cache_dir: Path

    def event(self, event: str, context: str = "production") -> str:
        done = subprocess.run(["node", str(self.harness), str(PLUGIN), event,
                               str(self.cache_dir)], cwd=self.desk.build_dir,
                              capture_output=True, text=True, check=False,
                              env={**os.environ, "CONTEXT": context})
        assert done.returncode == 0, done.stderr
        return done.stdout

    def deploy(self, context: str = "production", clone: tuple[str, ...] = ()) -> tuple[str,
                                                                                        Work]:
        """A whole deploy: clone, the plugin's onPreBuild, the build, its onPostBuild."""
        self.desk.clone(*clone)
        said = self.event("onPreBuild", context)
        work = self.desk.build(base_url=PREVIEW if context != "production" else None)
        return said + self.event("onPostBuild", context), work


@pytest.fixture
def netlify(desk: Desk, tmp_path: Path) -> Netlify:
    if shutil.which("node") is None:
        pytest.skip("Node.js runs Netlify's build plugins; it is not installed here")
    harness = tmp_path / "netlify-build.js"
    harness.write_text(NETLIFY, "utf-8")
    return Netlify(desk, harness, tmp_path / "netlify-cache")


def test_the_plugin_keeps_the_output_and_the_cache_of_production_deploys(
        netlify: Netlify, desk: Desk, tmp_path: Path) -> None:
    said, first = netlify.deploy()
    assert "no earlier deploy is cached" in said
    assert "kept for the next deploy" in said
    kept = netlify.cache_dir / "cwd"
    assert (kept / "public" / "index.html").is_file()
    assert (kept / ".sitegen-cache" / "cache.sqlite").is_file()
    assert not (kept / ".sitegen-cache" / "trees").exists()

    desk.write(NEW_STORY, ferry())
    desk.commit("A new story")
    said, deploy = netlify.deploy()
    assert "are back" in said
    assert tree(desk.build_dir / "public") == desk.cold(tmp_path / "cold")
    assert deploy.totals.get("parsing") == 1
    assert 0 < deploy.totals["rendering"] < first.totals["rendering"]

    # A deploy preview builds from production's cache and leaves it as it was.
    production = tree(kept / "public")
    desk.write(NEW_STORY, ferry("Ferry Service Resumes at Last"))
    desk.commit("A headline for review")
    said, preview = netlify.deploy("deploy-preview")
    assert "the production cache stays" in said
    assert tree(desk.build_dir / "public") == desk.cold(tmp_path / "cold-preview", PREVIEW)
    assert preview.totals.get("parsing") == 1 and "images" not in preview.totals
    assert tree(kept / "public") == production


def test_the_plugin_fetches_the_whole_history_of_a_shallow_clone(netlify: Netlify,
                                                                  desk: Desk) -> None:
    desk.write(SUGAR, article("Sugar Harvest Falls Sharply", "2015-01-12",
                              translation_key="sugar", tags="[cuba, sugar]"))
    desk.commit("Correct the headline")
    said, work = netlify.deploy(clone=("--depth", "1"))
    assert "fetched the whole git history" in said
    assert rules(desk.build_dir) == [OLD_TO_NEW]
    assert work.result is not None and not work.result.warnings


def test_the_plugin_says_why_it_could_not_fetch_the_history(netlify: Netlify,
                                                             desk: Desk) -> None:
    desk.write(SUGAR, article("Sugar Harvest Falls Sharply", "2015-01-12",
                              translation_key="sugar", tags="[cuba, sugar]"))
    desk.commit("Correct the headline")
    desk.clone("--depth", "1")
    desk.git(desk.build_dir, "remote", "set-url", "origin", "file:///nowhere/site.git")
    said = netlify.event("onPreBuild")
    assert "could not fetch the whole git history of this shallow clone (" in said
    assert "nowhere" in said
    work = desk.build()
    assert work.result is not None
    assert any("git fetch --unshallow" in warning for warning in work.result.warnings)
