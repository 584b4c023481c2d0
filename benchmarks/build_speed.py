"""Build-speed benchmark: sitegen against Hugo and Pelican on identical bilingual corpora.

Why this exists: a newsroom site grows to thousands of stories in two languages, and a
generator stays pleasant to use only if a cold build is quick and an edit (to one article or to a
template) shows up in seconds. Claims about that need figures that anyone can reproduce, measured
against the generators people compare sitegen with. This module

* writes the same deterministic corpus (``benchmarks/corpus.py``) as a sitegen, a Hugo and a
  Pelican site, for each requested size;
* times, as separate subprocesses, a cold build, a no-change rebuild, a rebuild after one article
  is edited and a rebuild after the article template is edited, plus a one-worker cold build of
  sitegen, each by wall clock and by CPU time, and records the peak memory of each cold build;
* times sitegen's deploy as a host runs it: a fresh git clone of the site with the output and
  build cache of the last deploy restored (copied, with new times), and one new story;
* repeats every measure (tools alternated run by run, so that machine noise hits all of them
  alike) and reports the medians as Markdown tables, on the terminal and in BENCHMARKS.md.

With ``--photos N`` the stories' images are camera photographs from a pool of N
(``benchmarks/photos.py``) instead of tiny placeholders, and only sitegen and its revisions are
timed, on cold, no-change and one-article-edited builds: that is the work of the image pipeline.
The tables then add what a phone downloads for a few article pages (``benchmarks/page_weight.py``),
so that ``--tools sitegen,sitegen@REV`` shows what responsive images save a reader.

Wall-clock time is what an editor waits for, but on a busy machine it grows with everything else
that runs, and the ratios between tools drift with the load. CPU time (user plus system, of the
build process and of every process it forked and waited for, such as sitegen's workers) hardly
does: it is what the build would cost on a quiet machine, so each time has a CPU row beside it.

sitegen is run as ``python -m sitegen`` of a source tree, by this Python: ``sitegen`` is this
repository's working tree, and ``sitegen@REV`` the files of any git revision REV of it
(``sitegen@main``, ``sitegen@HEAD~3``), exported with ``git archive`` into a temporary folder that
is removed at the end. So ``--tools sitegen,sitegen@main`` measures a change before and after in
one run, alternated like any two tools, each under its own name in every table.

It installs nothing: a generator that is not installed is skipped with a note. Run it from the
repository root: ``python -m benchmarks --help``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import importlib.util
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from benchmarks import serve_latency
from benchmarks.page_weight import DPR, VIEWPORT_PX, PageWeight, page_weight
from benchmarks.photos import put_photos
from benchmarks.serve_latency import SITEGEN, sitegen_env

ROOT = Path(__file__).resolve().parent.parent
CORPUS_SCRIPT = Path(__file__).resolve().parent / "corpus.py"
DEFAULT_WORKDIR = ROOT / "benchmarks" / "corpora"
DEFAULT_REPORT = ROOT / "BENCHMARKS.md"
DEFAULT_PHOTO_REPORT = ROOT / "BENCHMARKS-photos.md"  # --photos keeps BENCHMARKS.md's figures

TOOL_ORDER = ("sitegen", "hugo", "pelican")
CORPUS_FORMATS = "sitegen,hugo,pelican"
PRISTINE = ".bench-pristine"  # in a corpus folder: no benchmark edit is left in its files
SOURCE_DATE_EPOCH = "1893456000"  # 2030-01-01: no corpus article is dated in the future
POLL_SECONDS = 0.02
RESCAN_EVERY = 5  # polls between two scans of /proc for new processes in the tree
EDIT_SENTENCE = "\nAn editor added this sentence during benchmark run {run}.\n"
TEMPLATE_COMMENT = "<!-- run {run} -->\n"
VERSION_TIMEOUT = 60


# --------------------------------------------------------------------------------------------
# Measures
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    kind: str  # "seconds", "megabytes" or "count"
    vs_peer_cold: bool = False  # the ratio compares with the peer's cold build
    cpu_of: Measure | None = None  # a CPU-time row: the wall-clock row whose builds it times


def _cpu(wall: Measure) -> Measure:
    """The CPU-time row of a wall-clock row: the same builds, compared the same way."""
    return Measure(f"{wall.key}_cpu", wall.label.replace(" (s)", " CPU (s)"), "seconds",
                   wall.vs_peer_cold, cpu_of=wall)


COLD = Measure("cold", "cold build (s)", "seconds")
COLD_ONE_JOB = Measure("cold_j1", "sitegen -j 1 cold (s)", "seconds", vs_peer_cold=True)
NO_CHANGE = Measure("no_change", "no-change rebuild (s)", "seconds", vs_peer_cold=True)
ARTICLE = Measure("article", "one article edited (s)", "seconds", vs_peer_cold=True)
TEMPLATE = Measure("template", "template edited (s)", "seconds", vs_peer_cold=True)
STORY = Measure("story", "one new story (s)", "seconds", vs_peer_cold=True)
DEPLOY = Measure("deploy", "deploy, one new story (s)", "seconds", vs_peer_cold=True)
BUILD_TIMES = (COLD, COLD_ONE_JOB, NO_CHANGE, ARTICLE, TEMPLATE, STORY, DEPLOY)
CPU_TIMES = {wall: _cpu(wall) for wall in BUILD_TIMES}
PEAK_RSS = Measure("rss", "peak RSS, cold build (MB)", "megabytes")
PEAK_PSS = Measure("pss", "peak PSS, cold build (MB)", "megabytes")
FILES = Measure("files", "files written, cold build", "count")
PHONE_FIRST_VIEW = Measure("phone_first", "phone download, article first view (KB)", "kilobytes")
PHONE_WHOLE_PAGE = Measure("phone_whole", "phone download, whole article page (KB)", "kilobytes")
# the tables' rows, in order: wall-clock times, then the same builds' CPU times, then the rest
MEASURES = (*BUILD_TIMES, *CPU_TIMES.values(), PEAK_RSS, PEAK_PSS, FILES, PHONE_FIRST_VIEW,
            PHONE_WHOLE_PAGE)
# what each scenario measures (a CPU row goes with its wall-clock row): the text-only corpora,
# and the corpus whose images are camera photographs (`--photos N`)
STANDARD_ROWS = (*BUILD_TIMES, PEAK_RSS, PEAK_PSS, FILES)
PHOTO_ROWS = (COLD, NO_CHANGE, ARTICLE, PEAK_RSS, PEAK_PSS, FILES, PHONE_FIRST_VIEW,
              PHONE_WHOLE_PAGE)
PHONE_PAGES = 3  # article pages weighed per build


@dataclass
class Samples:
    """Every run's value of every (tool, measure), and the first error met for each."""

    values: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)
    weighed: dict[str, list[PageWeight]] = field(default_factory=dict)  # each tool's last pages
    loads: list[float] = field(default_factory=list)  # the 1-minute load average, each round

    def note_load(self) -> None:
        if hasattr(os, "getloadavg"):
            self.loads.append(os.getloadavg()[0])

    def add(self, tool: str, measure: Measure, value: float) -> None:
        self.values.setdefault((tool, measure.key), []).append(value)

    def fail(self, tool: str, measure: Measure, error: str) -> None:
        self.failures.setdefault((tool, measure.key), error)

    def median(self, tool: str, measure: Measure) -> float | None:
        """The median, or None when the measure was not taken or one of its runs failed."""
        if (tool, measure.key) in self.failures:
            return None
        found = self.values.get((tool, measure.key))
        return statistics.median(found) if found else None


# --------------------------------------------------------------------------------------------
# Running one build: wall-clock time, CPU time and peak memory of the process tree
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    seconds: float
    cpu_seconds: float
    peak_rss_kb: int
    peak_pss_kb: int = 0
    error: str | None = None


def _parent_pids() -> dict[int, int]:
    """pid -> parent pid of every process visible in /proc."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                raw = stat.read()
        except OSError:
            continue
        parents[int(entry.name)] = int(raw[raw.rindex(b")") + 2:].split()[1])
    return parents


def _tree(root: int) -> list[int]:
    """root and all its descendants."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parent_pids().items():
        children.setdefault(parent, []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def _memory_kb(pid: int) -> tuple[int, int]:
    """(resident, proportional) memory of one process: PSS shares each page among the processes
    that map it, so summed over a tree of forked workers it is the memory the tree really uses."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith(b"Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


class TreeMemoryPoller:
    """Samples the summed resident memory of a process and its descendants every 20 ms.

    New descendants are found by scanning /proc every few polls (a scan costs far more than
    reading the memory of the processes already known), so that the poller itself stays light.
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self.peak_pss_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.enabled = os.path.isdir("/proc")

    def __enter__(self) -> Self:
        if self.enabled:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self.enabled:
            self._thread.join()

    def _run(self) -> None:
        pids: list[int] = []
        polls = 0
        while not self._stop.is_set():
            if polls % RESCAN_EVERY == 0:
                pids = _tree(self.pid)
            sizes = [_memory_kb(pid) for pid in pids]
            self.peak_kb = max(self.peak_kb, sum(rss for rss, _ in sizes))
            self.peak_pss_kb = max(self.peak_pss_kb, sum(pss for _, pss in sizes))
            polls += 1
            self._stop.wait(POLL_SECONDS)


def _children_cpu_seconds() -> float:
    """User plus system time of every child this process has waited for, and of the
    descendants each of them waited for in turn."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_build(argv: Sequence[str], cwd: Path, env: dict[str, str], watch_memory: bool) -> Build:
    """Run one build to completion; its output is kept only to report a failure.

    Its CPU time is how much this process's children's usage grows meanwhile: builds run one at
    a time, so the only child reaped in between is the build, whose usage includes that of the
    worker processes it forked once it has waited for them (sitegen's pool does).
    """
    with tempfile.TemporaryFile() as log:
        cpu_before = _children_cpu_seconds()
        start = time.perf_counter()
        child = subprocess.Popen(list(argv), cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                 stdout=log, stderr=subprocess.STDOUT)
        poller = TreeMemoryPoller(child.pid)
        poller.enabled &= watch_memory
        with poller:
            _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        cpu_seconds = _children_cpu_seconds() - cpu_before
        child.returncode = os.waitstatus_to_exitcode(status)
        # ru_maxrss (kB on Linux) is the largest single process of the tree: a floor for the sum
        peak = max(poller.peak_kb, usage.ru_maxrss) if watch_memory else 0
        if child.returncode != 0:
            log.seek(0)
            return Build(seconds, cpu_seconds, peak, poller.peak_pss_kb,
                         _last_line(log.read().decode("utf-8", "replace"))
                         or f"exit status {child.returncode}")
        return Build(seconds, cpu_seconds, peak, poller.peak_pss_kb)


def _last_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


# --------------------------------------------------------------------------------------------
# The generators
# --------------------------------------------------------------------------------------------


def _command_output(argv: Sequence[str], env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, check=False,
                              timeout=VERSION_TIMEOUT, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc.__class__.__name__})"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


def _insert_before_last(text: str, insert: str, closing: str) -> str:
    """Insert text just before the template's last closing tag, so it stays inside the block
    that renders the page (text after the last block of a child template is never output)."""
    at = text.rfind(closing)
    if at < 0 or text[at + len(closing):].strip():
        return text + ("" if text.endswith("\n") else "\n") + insert
    return text[:at] + insert + text[at:]


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


class Generator:
    """How one static site generator is run, cleaned and edited on its corpus folder."""

    name = ""
    label = ""
    template_closing = "{% endblock %}"
    measures: tuple[Measure, ...] = (COLD, NO_CHANGE, ARTICLE, TEMPLATE, PEAK_RSS, PEAK_PSS, FILES)

    def __init__(self, site: Path) -> None:
        self.site = site

    @classmethod
    def launcher(cls) -> list[str] | None:
        """The command that starts the generator, or None when it is not installed."""
        raise NotImplementedError

    @classmethod
    def missing(cls) -> str:
        raise NotImplementedError

    @classmethod
    def version(cls) -> str:
        raise NotImplementedError

    @classmethod
    def command_shown(cls) -> str:
        raise NotImplementedError

    @property
    def output(self) -> Path:
        return self.site / "public"

    @property
    def template(self) -> Path:
        raise NotImplementedError

    def prepare(self) -> None:
        """Setup of the corpus folder (template overrides, settings), before each of its rounds:
        the revisions of sitegen share one folder, and each puts back its own template."""

    def clean(self) -> None:
        """Delete the output and every cache, for a cold build."""
        raise NotImplementedError

    def argv(self, jobs: int | None = None) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return dict(os.environ)

    def article(self, story: str) -> Path:
        """The file of a story, given as section/year/basename."""
        raise NotImplementedError

    def template_with_comment(self, original: str, run: int) -> str:
        return _insert_before_last(original, TEMPLATE_COMMENT.format(run=run), self.template_closing)

    def count_output(self) -> int:
        return sum(len(files) for _, _, files in os.walk(self.output))


class Sitegen(Generator):
    """`python -m sitegen` of a source tree: this repository's working tree, or (as
    `sitegen@REV`, see sitegen_at) the exported tree of a git revision."""

    name, label = "sitegen", "sitegen"
    measures = (COLD, COLD_ONE_JOB, NO_CHANGE, ARTICLE, TEMPLATE, STORY, DEPLOY, PEAK_RSS,
                PEAK_PSS, FILES, PHONE_FIRST_VIEW, PHONE_WHOLE_PAGE)
    tree = ROOT
    revision = commit = ""  # the git revision exported into tree and its commit; "" for ROOT

    @classmethod
    def launcher(cls) -> list[str] | None:
        # This Python runs every tree alike, so that two revisions differ only in their code (and
        # no version manager's shim adds its start-up time to every build).
        return SITEGEN if (cls.tree / "sitegen" / "__main__.py").is_file() else None

    @classmethod
    def missing(cls) -> str:
        return "its tree has no sitegen/__main__.py to run as `python -m sitegen`"

    @classmethod
    def version(cls) -> str:
        found = _command_output([*SITEGEN, "--version"], sitegen_env(cls.tree))
        if cls.revision:
            return f"{found} ({cls.label} = {cls.commit})"
        at = _command_output(["git", "-C", str(ROOT), "describe", "--always", "--dirty"])
        return f"{found} (working tree at {at})"

    @classmethod
    def command_shown(cls) -> str:
        tree = (f"TREE is `git archive {cls.commit}` unpacked in a temporary folder"
                if cls.revision else "TREE is the working tree")
        return (f"`SOURCE_DATE_EPOCH={SOURCE_DATE_EPOCH} PYTHONPATH=TREE python -P -m sitegen "
                "build -s SITE -o SITE/public` (all cores; also `-j 1`), cache in "
                f"SITE/.sitegen-cache; {tree}")

    @property
    def template(self) -> Path:
        return self.site / "themes" / "default" / "templates" / "article.html"

    def prepare(self) -> None:
        """Copy the tree's bundled article template into the site, as an override the runs can
        edit."""
        self.template.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_bundled_dir(self.tree) / "themes" / "default" / "templates"
                        / "article.html", self.template)

    def clean(self) -> None:
        _remove(self.output)
        _remove(self.site / ".sitegen-cache")
        for staging in self.site.glob(".public.sitegen-*"):
            _remove(staging)

    def argv(self, jobs: int | None = None) -> list[str]:
        jobs_args = ["-j", str(jobs)] if jobs else []
        return [*SITEGEN, "build", "-s", str(self.site), "-o", str(self.output), *jobs_args]

    def env(self) -> dict[str, str]:
        return {**sitegen_env(self.tree), "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}

    def article(self, story: str) -> Path:
        return self.site / "content" / f"{story}.en.md"


@functools.cache
def _bundled_dir(tree: Path) -> Path:
    """Where the sitegen of a source tree keeps its default theme, asked of that sitegen."""
    probe = "import sitegen.discover as d; print(d.bundled_dir())"
    done = subprocess.run([sys.executable, "-P", "-c", probe], capture_output=True, text=True,
                          check=False, env=sitegen_env(tree))
    if done.returncode != 0:
        raise SystemExit(f"cannot import the sitegen of {tree} to find its bundled theme "
                         f"({_last_line(done.stderr)}): run the benchmark with the Python "
                         "sitegen's dependencies are installed in")
    return Path(done.stdout.strip())


class Hugo(Generator):
    name, label = "hugo", "Hugo"
    template_closing = "{{ end }}"

    @classmethod
    def launcher(cls) -> list[str] | None:
        found = shutil.which("hugo")
        return [found] if found else None

    @classmethod
    def missing(cls) -> str:
        return "`hugo` is not on PATH"

    @classmethod
    def version(cls) -> str:
        return _command_output([*(cls.launcher() or ["hugo"]), "version"])

    @classmethod
    def command_shown(cls) -> str:
        return "`hugo --quiet -s SITE -d SITE/public --cacheDir CACHE` (CACHE emptied for cold builds)"

    @property
    def cache(self) -> Path:
        return self.site.parent / ".hugo-cache"

    @property
    def template(self) -> Path:
        return self.site / "layouts" / "_default" / "single.html"

    def clean(self) -> None:
        for path in (self.output, self.site / "resources", self.cache):
            _remove(path)
        self.cache.mkdir()

    def argv(self, jobs: int | None = None) -> list[str]:
        return [*(self.launcher() or ["hugo"]), "--quiet", "-s", str(self.site),
                "-d", str(self.output), "--cacheDir", str(self.cache)]

    def article(self, story: str) -> Path:
        return self.site / "content" / "en" / f"{story}.md"


PELICAN_SETTINGS = '''\
"""Benchmark settings: the corpus's cachedconf.py (content cache on) and an article override."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cachedconf import *  # noqa: E402,F401,F403

THEME_TEMPLATES_OVERRIDES = [os.path.join(HERE, "bench-templates")]
'''

PELICAN_ARTICLE = """\
{% extends "!theme/article.html" %}
{% block content %}{{ super() }}
{% endblock %}
"""


class Pelican(Generator):
    name, label = "pelican", "Pelican"
    settings_file = "benchconf.py"

    @classmethod
    def launcher(cls) -> list[str] | None:
        found = shutil.which("pelican")
        if found:
            return [found]
        if importlib.util.find_spec("pelican") is not None:
            return [sys.executable, "-m", "pelican"]
        return None

    @classmethod
    def missing(cls) -> str:
        return "`pelican` is neither on PATH nor importable"

    @classmethod
    def version(cls) -> str:
        found = _command_output([*(cls.launcher() or ["pelican"]), "--version"])
        return found if found.lower().startswith("pelican") else f"pelican {found}"

    @classmethod
    def command_shown(cls) -> str:
        return (f"`pelican -s {cls.settings_file} -o public content` in SITE: the corpus's "
                "cachedconf.py (content cache in SITE/cache) plus an article.html override")

    @property
    def template(self) -> Path:
        return self.site / "bench-templates" / "article.html"

    def prepare(self) -> None:
        (self.site / self.settings_file).write_text(PELICAN_SETTINGS, encoding="utf-8")
        self.template.parent.mkdir(parents=True, exist_ok=True)
        self.template.write_text(PELICAN_ARTICLE, encoding="utf-8")

    def clean(self) -> None:
        _remove(self.output)
        _remove(self.site / "cache")

    def argv(self, jobs: int | None = None) -> list[str]:
        return [*(self.launcher() or ["pelican"]), "-s", self.settings_file, "-o", "public",
                "content"]

    def article(self, story: str) -> Path:
        return self.site / "content" / f"{story}.en.md"


GENERATORS: dict[str, type[Generator]] = {"sitegen": Sitegen, "hugo": Hugo, "pelican": Pelican}


# --------------------------------------------------------------------------------------------
# Revisions of sitegen: `sitegen@REV`
# --------------------------------------------------------------------------------------------


def sitegen_at(revision: str, commit: str, tree: Path) -> type[Sitegen]:
    """sitegen as a git revision has it, run from that revision's exported tree."""
    name = f"sitegen@{revision}"
    return type("SitegenRevision", (Sitegen,),
                {"name": name, "label": name, "revision": revision, "commit": commit, "tree": tree})


def revision_commit(revision: str) -> str | None:
    """The abbreviated hash of the commit a git revision of this repository names, or None."""
    done = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", "--short",
                           f"{revision}^{{commit}}"], capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


@contextlib.contextmanager
def revision_tree(commit: str) -> Iterator[Path]:
    """The files of a commit (`git archive | tar -x`) in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=f"sitegen-{commit}-") as tree:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit],
                                 capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", tree], input=archive.stdout, check=True)
        yield Path(tree)


@contextlib.contextmanager
def revisions_exported(tools: Sequence[str]) -> Iterator[None]:
    """Every `sitegen@REV` among the tools exported and known to GENERATORS for the block."""
    with contextlib.ExitStack() as stack:
        for name in tools:
            revision = name.removeprefix("sitegen@")
            if revision == name:
                continue
            commit = revision_commit(revision)
            if commit is None:
                raise SystemExit(f"{revision!r} is not a git revision of this repository")
            _log(f"exporting {name} ({commit})")
            GENERATORS[name] = sitegen_at(revision, commit, stack.enter_context(
                revision_tree(commit)))
            stack.callback(GENERATORS.pop, name)
        yield


# --------------------------------------------------------------------------------------------
# Corpora
# --------------------------------------------------------------------------------------------


def ensure_corpus(workdir: Path, stories: int, seed: int, photos: int = 0) -> Path:
    """The corpus folder for (stories, seed), generated unless a clean copy is already there.

    With photos, it is a sitegen site only, in a folder of its own, whose images are camera
    photographs from a pool of that many (see benchmarks/photos.py).
    """
    formats = "sitegen" if photos else CORPUS_FORMATS
    folder = workdir / (f"n{stories}-seed{seed}" + (f"-photos{photos}" if photos else ""))
    stamp = f"pairs={stories} seed={seed} formats={formats}" + (
        f" photos={photos}" if photos else "") + "\n"
    pristine = folder / PRISTINE
    if pristine.is_file() and pristine.read_text(encoding="utf-8") == stamp:
        return folder
    _log(f"generating the corpus of {stories} stories (seed {seed})")
    folder.mkdir(parents=True, exist_ok=True)
    # one format is written into --out itself, several into one folder each
    out = folder / "sitegen" if photos else folder
    subprocess.run([sys.executable, str(CORPUS_SCRIPT), "--pairs", str(stories), "--seed",
                    str(seed), "--format", formats, "--out", str(out), "--force"],
                   check=True, stdout=subprocess.DEVNULL)
    if photos:
        _log(f"writing a pool of {photos} camera photographs over the corpus's images")
        put_photos(out, photos, seed)
    pristine.write_text(stamp, encoding="utf-8")
    return folder


@contextlib.contextmanager
def corpus_in_use(folder: Path) -> Iterator[None]:
    """While the runs edit files, the folder is not marked clean (a killed run regenerates it)."""
    pristine = folder / PRISTINE
    stamp = pristine.read_text(encoding="utf-8")
    pristine.unlink()
    try:
        yield
    finally:
        pristine.write_text(stamp, encoding="utf-8")


def published_stories(sitegen_site: Path) -> list[str]:
    """section/year/basename of every story whose English article is not a draft, sorted."""
    content = sitegen_site / "content"
    found = []
    for path in sorted(content.rglob("*.en.md")):
        front = _front(path)
        if "\ndraft: true" not in front:
            found.append(path.relative_to(content).as_posix().removesuffix(".en.md"))
    return found


def _front(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("\n---", 1)[0]


def pages_to_weigh(sitegen_site: Path, count: int = PHONE_PAGES) -> list[str]:
    """The slugs of the English articles whose download a phone's is measured: published ones
    with a lead image, spread evenly over the corpus, the first of them one whose body has an
    image too (when there is one)."""
    content = sitegen_site / "content"
    leads: list[tuple[str, bool]] = []
    for story in published_stories(sitegen_site):
        path = content / f"{story}.en.md"
        text = path.read_text(encoding="utf-8")
        front = _front(path)
        slug = next((line.split(":", 1)[1].strip().strip('"') for line in front.splitlines()
                     if line.startswith("slug:")), None)
        if slug and "\nimage: " in front:
            leads.append((slug, "![" in text[len(front):]))
    if not leads:
        return []
    first = next((slug for slug, body_image in leads if body_image), leads[0][0])
    rest = [slug for slug, _ in leads if slug != first]
    picked = [first] + [rest[(2 * n + 1) * len(rest) // (2 * (count - 1))]
                        for n in range(count - 1)] if count > 1 and rest else [first]
    return list(dict.fromkeys(picked))


def _built_page(output: Path, slug: str) -> Path | None:
    """A slug's page in an output folder, at SLUG/index.html or SLUG.html under any path."""
    for pattern in (f"{slug}/index.html", f"{slug}.html"):
        found = sorted(output.rglob(pattern))
        if found:
            return found[0]
    return None


def story_for_run(stories: Sequence[str], run: int, runs: int) -> str:
    """A different story each run, spread evenly over the corpus."""
    return stories[((2 * (run - 1) + 1) * len(stories)) // (2 * runs) % len(stories)]


@contextlib.contextmanager
def edited(path: Path, new_text: str) -> Iterator[None]:
    """Replace a file's text for the duration of the block, then put the original bytes back."""
    original = path.read_bytes()
    path.write_text(new_text, encoding="utf-8")
    try:
        yield
    finally:
        path.write_bytes(original)


# --------------------------------------------------------------------------------------------
# The deploy: a fresh clone with the last deploy's output and build cache restored
# --------------------------------------------------------------------------------------------

DEPLOY_CACHED = ("public", ".sitegen-cache")  # what netlify.toml keeps between deploys
DEPLOY_SWAPPED_OUT = ".sitegen-cache/trees"  # not kept: the plugin removes it before saving
GIT_IDENTITY = ("-c", "user.name=Benchmark", "-c", "user.email=benchmark@example.org")
GIT_DATE = "@1893369600 +0000"  # 2029-12-31: the commits' time, the same in every run


def _git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", *GIT_IDENTITY, *args], cwd=folder, capture_output=True,
                          text=True, check=True,
                          env={**os.environ, "GIT_AUTHOR_DATE": GIT_DATE,
                               "GIT_COMMITTER_DATE": GIT_DATE})
    return done.stdout


def deploy_story(site: Path, story: str, run: int) -> tuple[str, str]:
    """(path, text) of the story filed since the last deploy: the newest of the site by a
    minute (of the same year, as a newsroom's next story is: a new year would change every
    page's copyright line), in the section of the run's story and with its first tag."""
    front = _front(site / "content" / f"{story}.en.md")
    tags = front.split("\ntags:\n", 1)[1].splitlines() if "\ntags:\n" in front else []
    tag = tags[0].strip().removeprefix("- ").strip() if tags and tags[0].lstrip()[:1] == "-" \
        else ""
    section = story.split("/", 1)[0]
    newest = newest_date(site)
    filed = newest + dt.timedelta(minutes=1)
    if filed.year != newest.year:
        filed = newest
    text = "\n".join([
        "---",
        f'title: "A story filed after the last deploy, run {run}"',
        f"date: {filed.isoformat()}",
        "lang: en",
        f"section: {section}",
        *([f"tags: [{tag}]"] if tag else []),
        "summary: What the desk published since the site was last deployed.",
        "---",
        "",
        "The first paragraph of a story the desk filed after the last deploy.",
        "",
        "A second paragraph, so that the page is like the others.",
        ""])
    return f"content/{section}/deploy-run-{run}.en.md", text


def newest_date(site: Path) -> dt.datetime:
    """The date of the corpus's newest article (its dates all carry their offset)."""
    dates = [dt.datetime.fromisoformat(line.split(":", 1)[1].strip().strip('"'))
             for path in (site / "content").rglob("*.md")
             for line in _front(path).splitlines() if line.startswith("date:")]
    return max(dates, key=lambda date: date.timestamp())


class Deploys:
    """sitegen's deploy as a host runs it, on one corpus: the site as a git repository
    (`origin`), and for each revision of sitegen the output and cache its last deploy left,
    made once by a build in the very folder every deploy clones into (a host builds in one
    place, and sitegen's records name their folder)."""

    def __init__(self, site: Path, work: Path) -> None:
        self.site = site
        self.work = work
        self.origin = work / "origin"
        self.base = ""  # the commit of the last deploy
        self.saved: set[str] = set()  # the tools whose last deploy is kept

    def folder(self, gen: Generator) -> Path:
        return self.work / gen.name.replace("@", "-at-") / "site"

    def kept(self, gen: Generator) -> Path:
        return self.work / gen.name.replace("@", "-at-") / "kept"

    def make_origin(self) -> None:
        """The corpus's sitegen site, committed: its content, configuration and static files
        (each tool puts its own article template into its clone)."""
        if self.base:
            return
        shutil.copytree(self.site, self.origin, ignore=shutil.ignore_patterns(
            "public", ".sitegen-cache", ".public.sitegen-*", "themes", PRISTINE))
        (self.origin / ".gitignore").write_text("public/\n.sitegen-cache/\n", encoding="utf-8")
        _git(self.origin, "init", "-q", "-b", "main")
        _git(self.origin, "add", "-A")
        _git(self.origin, "commit", "-q", "-m", "The corpus")
        self.base = _git(self.origin, "rev-parse", "HEAD").strip()

    def clone(self, gen: Generator, branch: str) -> Generator:
        """A fresh clone of a branch of the origin where the tool's deploys build, with the
        tool's article template in it."""
        folder = self.folder(gen)
        _remove(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        _git(self.work, "clone", "-q", "-b", branch, f"file://{self.origin}", str(folder))
        clone = type(gen)(folder)
        clone.prepare()
        return clone

    def last_deploy(self, gen: Generator) -> None:
        """The deploy before: a cold build of the corpus as it is, its output and cache kept."""
        self.make_origin()
        if gen.name in self.saved:
            return
        clone = self.clone(gen, "main")
        done = run_build(clone.argv(), clone.site, clone.env(), watch_memory=False)
        if done.error:
            raise RuntimeError(f"the deploy before failed: {done.error}")
        _remove(clone.site / DEPLOY_SWAPPED_OUT)
        kept = self.kept(gen)
        _remove(kept)
        for name in DEPLOY_CACHED:
            shutil.copytree(clone.site / name, kept / name, symlinks=True)
        self.saved.add(gen.name)

    def deploy(self, gen: Generator, story: str, run: int, samples: Samples) -> Build:
        """One deploy of a new story, timed: committed on top of the last deploy's commit,
        cloned afresh, the output and cache put back as a host's cache does (copied, with new
        times)."""
        self.last_deploy(gen)
        path, text = deploy_story(self.site, story, run)
        branch = f"run-{run}"
        _git(self.origin, "checkout", "-q", "-B", branch, self.base)
        (self.origin / path).write_text(text, encoding="utf-8")
        _git(self.origin, "add", path)
        _git(self.origin, "commit", "-q", "-m", f"A new story, run {run}")
        _git(self.origin, "checkout", "-q", "main")
        clone = self.clone(gen, branch)
        for name in DEPLOY_CACHED:
            shutil.copytree(self.kept(gen) / name, clone.site / name, symlinks=True,
                            copy_function=shutil.copyfile)
        return timed(clone, samples, DEPLOY)  # the clone is the same tool, in another folder


# --------------------------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def added(path: Path, text: str) -> Iterator[None]:
    """A new file for the duration of the block."""
    path.write_text(text, encoding="utf-8")
    try:
        yield
    finally:
        path.unlink()


def timed(gen: Generator, samples: Samples, measure: Measure, jobs: int | None = None,
          watch_memory: bool = False) -> Build:
    """One build, recorded as the measure's wall-clock time and as its CPU time."""
    build = run_build(gen.argv(jobs), gen.site, gen.env(), watch_memory)
    if build.error:
        samples.fail(gen.name, measure, f"build failed: {build.error}")
        samples.fail(gen.name, CPU_TIMES[measure], f"build failed: {build.error}")
    else:
        samples.add(gen.name, measure, build.seconds)
        samples.add(gen.name, CPU_TIMES[measure], build.cpu_seconds)
    return build


def cold_build(gen: Generator, samples: Samples) -> Build:
    gen.clean()
    build = timed(gen, samples, COLD, watch_memory=True)
    if build.error:
        samples.fail(gen.name, PEAK_RSS, "cold build failed")
        samples.fail(gen.name, PEAK_PSS, "cold build failed")
        samples.fail(gen.name, FILES, "cold build failed")
    else:
        samples.add(gen.name, PEAK_RSS, build.peak_rss_kb / 1024)
        samples.add(gen.name, PEAK_PSS, build.peak_pss_kb / 1024)
        samples.add(gen.name, FILES, gen.count_output())
    return build


def weigh_pages(gen: Generator, slugs: Sequence[str], samples: Samples) -> None:
    """What a phone downloads for each chosen article page of the output, the medians recorded.

    A page that is not found, or an image it uses that is not in the output, fails the measure:
    either is a broken page, not a lighter one.
    """
    base_url = _base_url(gen.site)
    weights: list[PageWeight] = []
    for slug in slugs:
        page = _built_page(gen.output, slug)
        if page is None:
            _fail_phone(gen, samples, f"no page for the article {slug} in the output")
            return
        weight = page_weight(page, gen.output, base_url)
        if weight.missing:
            _fail_phone(gen, samples, f"{weight.page} uses {weight.missing[0]}, not in the output")
            return
        weights.append(weight)
    if not weights:
        _fail_phone(gen, samples, "no published article has a lead image")
        return
    samples.weighed[gen.name] = weights
    samples.add(gen.name, PHONE_FIRST_VIEW, statistics.median(w.first_view for w in weights) / 1024)
    samples.add(gen.name, PHONE_WHOLE_PAGE, statistics.median(w.whole_page for w in weights) / 1024)


def _fail_phone(gen: Generator, samples: Samples, error: str) -> None:
    samples.fail(gen.name, PHONE_FIRST_VIEW, error)
    samples.fail(gen.name, PHONE_WHOLE_PAGE, error)


def _base_url(site: Path) -> str:
    """The site's [site] base_url: image URLs are resolved inside the output under its path."""
    try:
        with open(site / "sitegen.toml", "rb") as settings:
            return str(tomllib.load(settings).get("site", {}).get("base_url", "/"))
    except (OSError, tomllib.TOMLDecodeError):
        return "/"


def run_round(gen: Generator, story: str, run: int, samples: Samples,
              rows: Sequence[Measure] = STANDARD_ROWS, slugs: Sequence[str] = (),
              deploys: Deploys | None = None) -> list[str]:
    """One run of the scenario's measures (rows) of one generator; the corpus is as it was
    afterwards. The phone's download is weighed on the cold build's article pages (slugs); the
    deploy is made in `deploys`' folders."""
    gen.prepare()
    done = [("cold", cold_build(gen, samples))]
    if PHONE_FIRST_VIEW in rows and PHONE_FIRST_VIEW in gen.measures and not done[0][1].error:
        weigh_pages(gen, slugs, samples)
    done.append(("no-change", timed(gen, samples, NO_CHANGE)))
    if STORY in gen.measures and STORY in rows:
        path, text = deploy_story(gen.site, story, run)
        with added(gen.site / path, text):
            done.append(("story", timed(gen, samples, STORY)))
        run_build(gen.argv(), gen.site, gen.env(), watch_memory=False)  # as it was, untimed
    article = gen.article(story)
    with edited(article, article.read_text(encoding="utf-8") + EDIT_SENTENCE.format(run=run)):
        done.append(("article", timed(gen, samples, ARTICLE)))
        if TEMPLATE in rows:
            template_text = gen.template_with_comment(gen.template.read_text(encoding="utf-8"),
                                                      run)
            with edited(gen.template, template_text):
                done.append(("template", timed(gen, samples, TEMPLATE)))
    if DEPLOY in gen.measures and DEPLOY in rows and deploys is not None:
        try:
            done.append(("deploy", deploys.deploy(gen, story, run, samples)))
        except (OSError, subprocess.CalledProcessError, RuntimeError) as exc:
            samples.fail(gen.name, DEPLOY, f"deploy failed: {exc}")
            samples.fail(gen.name, CPU_TIMES[DEPLOY], f"deploy failed: {exc}")
    if COLD_ONE_JOB in gen.measures and COLD_ONE_JOB in rows:
        gen.clean()
        done.append(("-j 1 cold", timed(gen, samples, COLD_ONE_JOB, jobs=1)))
    return [f"{name} {'failed' if b.error else f'{b.seconds:.2f}s (CPU {b.cpu_seconds:.2f}s)'}"
            for name, b in done]


def benchmark_size(folder: Path, tools: Sequence[type[Generator]], runs: int,
                   stories_count: int, rows: Sequence[Measure] = STANDARD_ROWS) -> Samples:
    samples = Samples()
    # every revision of sitegen builds the corpus's sitegen folder
    gens = [tool(folder / tool.name.partition("@")[0]) for tool in tools]
    stories = published_stories(folder / "sitegen")
    slugs = pages_to_weigh(folder / "sitegen") if PHONE_FIRST_VIEW in rows else []
    with corpus_in_use(folder), tempfile.TemporaryDirectory(prefix="sitegen-deploys-") as work:
        deploys = Deploys(folder / "sitegen", Path(work)) if DEPLOY in rows else None
        for run in range(1, runs + 1):
            story = story_for_run(stories, run, runs)
            for gen in gens:
                samples.note_load()
                summary = run_round(gen, story, run, samples, rows, slugs, deploys)
                _log(f"[{stories_count} stories] run {run}/{runs} {gen.label}: "
                     + ", ".join(summary))
    return samples


# --------------------------------------------------------------------------------------------
# Tables and report
# --------------------------------------------------------------------------------------------


def _cell(value: float | None, measure: Measure) -> str:
    if value is None:
        return "n/a"
    if measure.kind == "seconds":
        return f"{value:.2f}"
    return f"{value:.0f}"


def _ratio(ours: float | None, theirs: float | None) -> str:
    if ours is None or theirs is None or theirs == 0:
        return "n/a"
    return f"{ours / theirs:.2f}×"


def size_table(samples: Samples, selected: Sequence[str], missing: dict[str, str],
               rows: Sequence[Measure] = STANDARD_ROWS) -> list[str]:
    """Markdown table of one size: rows are the scenario's measures, columns the tools and the
    ratios."""
    peers = [name for name in selected if name != "sitegen"] if "sitegen" in selected else []
    header = ["measure", *(GENERATORS[n].label for n in selected),
              *(f"sitegen/{GENERATORS[p].label}" for p in peers)]
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    for measure in MEASURES:
        if (measure.cpu_of or measure) not in rows or not any(_applies(n, measure)
                                                              for n in selected):
            continue
        cells = [measure.label, *(_tool_cell(samples, n, measure, missing) for n in selected),
                 *(_ratio_cell(samples, p, measure, missing) for p in peers)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _tool_cell(samples: Samples, name: str, measure: Measure, missing: dict[str, str]) -> str:
    if name in missing:
        return "not installed" if measure is COLD else "—"
    if not _applies(name, measure):
        return "—"
    return _cell(samples.median(name, measure), measure)


def _applies(name: str, measure: Measure) -> bool:
    """Whether the tool takes the measure: a CPU-time row goes with its wall-clock row."""
    return (measure.cpu_of or measure) in GENERATORS[name].measures


def _ratio_cell(samples: Samples, peer: str, measure: Measure, missing: dict[str, str]) -> str:
    if measure.kind == "count" or "sitegen" in missing or peer in missing:
        return "—"
    # another generator's cold build is what sitegen's rebuilds are held against; another
    # revision of sitegen is compared measure by measure
    revision = issubclass(GENERATORS[peer], Sitegen)
    theirs = measure
    if measure.vs_peer_cold and not revision:
        theirs = CPU_TIMES[COLD] if measure.cpu_of else COLD
    return _ratio(samples.median("sitegen", measure), samples.median(peer, theirs))


def size_notes(samples: Samples, missing: dict[str, str]) -> list[str]:
    notes = [f"- {GENERATORS[name].label} skipped: {why}." for name, why in missing.items()]
    for (name, key), error in sorted(samples.failures.items()):
        measure = next(m for m in MEASURES if m.key == key)
        if measure.cpu_of and samples.failures.get((name, measure.cpu_of.key)) == error:
            continue  # the same failed build, already noted under its wall-clock row
        notes.append(f"- {GENERATORS[name].label}, {measure.label}: n/a, {_scrub(error)}")
    return notes


def _scrub(text: str) -> str:
    """Keep machine paths out of the report."""
    return text.replace(str(ROOT) + os.sep, "").replace(str(ROOT), ".")


SUMMARY_ROWS = (COLD, NO_CHANGE, ARTICLE, DEPLOY)  # the builds people compare first


def summary_section(sizes: Sequence[tuple[int, Samples]], selected: Sequence[str],
                    missing: dict[str, str]) -> list[str]:
    """The short table: at each size, sitegen's builds divided by each peer's cold build, by
    wall clock and by CPU time (the size sections hold the seconds)."""
    peers = [name for name in selected if name != "sitegen" and _is_peer(name)] \
        if "sitegen" in selected else []
    if not peers:
        return []
    header = ["stories", "peer", *(m.label.removesuffix(" (s)") for m in SUMMARY_ROWS)]
    lines = ["## Summary", "",
             "sitegen's time divided by the peer's cold build: wall clock, then CPU time.", "",
             "| " + " | ".join(header) + " |",
             "|" + "|".join(["---:", "---"] + ["---:"] * len(SUMMARY_ROWS)) + "|"]
    for stories, samples in sizes:
        for peer in peers:
            cells = [f"{stories:,}", GENERATORS[peer].label]
            for measure in SUMMARY_ROWS:
                wall = _ratio_cell(samples, peer, measure, missing)
                cpu = _ratio_cell(samples, peer, CPU_TIMES[measure], missing)
                cells.append(f"{wall} / {cpu}" if _applies("sitegen", measure) else "—")
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def _is_peer(name: str) -> bool:
    """Another generator, not a revision of sitegen."""
    return not issubclass(GENERATORS[name], Sitegen)


def size_section(stories: int, samples: Samples, selected: Sequence[str],
                 missing: dict[str, str], photos: int = 0) -> list[str]:
    title = f"## {stories} stories ({2 * stories} articles)"
    if photos:
        title += f" with camera photographs ({photos} distinct)"
    lines = [title, ""]
    lines += size_table(samples, selected, missing, PHOTO_ROWS if photos else STANDARD_ROWS)
    notes = size_notes(samples, missing) + load_notes(samples)
    if photos:
        notes += weighed_notes(samples)
    return lines + ([""] + notes if notes else [])


def load_notes(samples: Samples) -> list[str]:
    """How busy the machine was: other work slows every tool's wall clock, unevenly."""
    if not samples.loads:
        return []
    cores = os.cpu_count() or 1
    low, high = min(samples.loads), max(samples.loads)
    busy = (" — busier than its cores: compare the CPU rows, not the wall-clock ones"
            if high > cores else "")
    return [(f"- Load: the 1-minute load average was {low:.2f}–{high:.2f} as the rounds "
             f"started, on {cores} cores{busy}.")]


def weighed_notes(samples: Samples) -> list[str]:
    """Each tool's article pages as a phone downloads them (KB), from its last cold build."""
    notes = []
    for name, weights in samples.weighed.items():
        pages = "; ".join(
            f"{w.page}: HTML {w.html_bytes / 1024:.0f}, first view {w.first_view / 1024:.0f}, "
            f"whole page {w.whole_page / 1024:.0f} ({w.images} img)" for w in weights)
        notes.append(f"- {GENERATORS[name].label}, pages weighed (KB): {pages}")
    return notes


GENERAL_NOTES = """\
- Each figure is the median of the runs. Within a run the tools take turns (sitegen, Hugo,
  Pelican, then again), so machine noise hits all of them alike. Every build is a separate
  process timed by wall clock and by CPU time, start-up included.
- CPU rows (`… CPU (s)`): user plus system time of the build process and of every process it
  forked and waited for (sitegen's workers included), from the growth of the benchmark's
  children's resource usage around the build. Wall-clock times stretch with whatever else the
  machine runs, and so do their ratios; CPU time hardly does, and is close to what a quiet
  machine would show. CPU above wall time means the build kept several cores busy.
- Ratio columns: sitegen's figure divided by the peer's. For the rebuild rows (no-change, one
  article edited, template edited) and for `sitegen -j 1 cold`, the divisor is the peer's
  **cold** build, the reference people compare against (for a CPU row, the peer's cold build
  CPU); against an earlier revision of sitegen (`sitegen@REV`) it is the same row.
- Cold build: output folder and caches deleted first (sitegen's SITE/.sitegen-cache, Hugo's
  resources/ and --cacheDir, Pelican's content cache). The rebuilds that follow keep them.
- One article edited: a sentence is appended to the English article of one story (a different,
  published story each run, the same story in every tool's corpus), then the site is rebuilt.
- Template edited: an HTML comment `<!-- run N -->` is inserted at the end of the last block of
  the article template: sitegen's default theme article.html copied into the site as an
  override, Hugo's layouts/_default/single.html (Go's html/template drops HTML comments from
  the output), Pelican's article.html override extending its theme's. Edits are undone after
  each run.
- Deploy, one new story (sitegen only): a deploy as Netlify runs it with this repository's
  netlify.toml. The site is a git repository; a fresh clone of it is built once (the last
  deploy), and its output and build cache are kept (not the tree a build swaps out). Each run
  commits a new English story (the newest of the site by a minute, in the same year, in the
  section of the run's edited story, with its first tag) on top of that commit, clones the site afresh into the same folder,
  puts the kept output and cache back as copies with new times, and times the build. Its ratio is
  to the peer's cold build: what every deploy costs without a kept cache.
- One new story (sitegen only): the same story added to the corpus folder after its no-change
  rebuild and built there, with everything the builds before left: what the deploy's change
  costs without a clone. It is removed afterwards, and an untimed build puts the output back.
- Hugo has no build cache for content outside `hugo server`: its rebuilds are full builds.
  Pelican's content cache saves re-reading unchanged articles; it renders every page again.
- Peak RSS: resident memory of the build process and all its descendants (sitegen's worker
  processes included), summed and sampled every 20 ms; pages shared between forked processes
  are counted once per process. At least the largest single process's ru_maxrss.
- Peak PSS: the same sum of proportional set sizes, where a page shared by several processes
  counts once in all: the memory the build really occupies.
  1 MB = 2^20 bytes.
- `n/a`: the measure failed (the reason follows the table); `—`: not applicable."""

PHOTO_NOTES = f"""\
- Camera photographs (`--photos N`): every image the corpus's stories reference (lead images
  and images in article bodies) is replaced by one of a pool of N deterministic photographs,
  round robin in path order, so N is the number of distinct sources: 3000×2000 JPEGs (one in
  four upright, 2000×3000) at quality 92, about 1.5–4 MB each, with EXIF make, model,
  orientation and GPS position (`benchmarks/photos.py`). Only sitegen is timed: Hugo and Pelican
  do not resize images. The corpus is kept in a folder of its own, `nSTORIES-seedSEED-photosN`.
  Measured: cold build, no-change rebuild and one article edited.
- Phone download: for {PHONE_PAGES} English article pages with a lead image (the first with an
  image in its body too), chosen the same for every tool, the HTML plus the file a phone
  ({VIEWPORT_PX:.0f} CSS px wide, device pixel ratio {DPR:.0f}) fetches for each `<img>`: with a
  `srcset` of widths, the narrowest candidate at least as wide as the slot that `sizes` gives on
  that screen times the ratio, else the widest; without `srcset`, its `src`
  (`benchmarks/page_weight.py`). First view counts the images not marked `loading="lazy"`, the
  whole page all of them; a file used twice is fetched once. Median over the pages; 1 KB = 1024
  bytes."""


def _read_first(path: str, key: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as source:
            for line in source:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def machine() -> str:
    cpu = _read_first("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU"
    memory = _read_first("/proc/meminfo", "MemTotal")
    memory_text = f"{int(memory.split()[0]) / 2**20:.1f} GiB memory" if memory else "memory unknown"
    return f"{platform.platform()}; {cpu}; {os.cpu_count()} cores; {memory_text}"


def versions(selected: Sequence[str], missing: dict[str, str]) -> str:
    found = [GENERATORS[n].version() if n not in missing else f"{GENERATORS[n].label} not installed"
             for n in selected]
    return "; ".join([*found, f"Python {platform.python_version()}"])


def report_header(args: argparse.Namespace, argv: Sequence[str], selected: Sequence[str],
                  missing: dict[str, str], started: dt.datetime) -> list[str]:
    command = shlex.join(["python", "-m", "benchmarks", *argv])
    lines = [
        "# Build benchmarks",
        "",
        ("sitegen against Hugo and Pelican on identical bilingual (English/Spanish) corpora, "
         "written by `benchmarks/build_speed.py`. Regenerate with the command below."),
        "",
        ("Every build is timed by wall clock, what an editor waits for, and by CPU time, what "
         "it costs the machine: the CPU rows follow the wall-clock rows. On a loaded machine, "
         "compare the CPU rows; they are close to what a quiet machine shows."),
        "",
        ("To measure a change to sitegen, time the working tree beside a git revision of this "
         "repository in the same run: `python -m benchmarks --tools sitegen,sitegen@REV` "
         "(`sitegen@main`, `sitegen@HEAD~3`, a commit hash). The revision is exported with "
         "`git archive` into a temporary folder and run as `python -m sitegen` from there; it is "
         "reported under its own name in every table, and the ratio column "
         "`sitegen/sitegen@REV` is after divided by before."),
        "",
        ("To time the image pipeline on photographs, add `--photos N`: the stories' images "
         "become N distinct camera-size JPEGs with EXIF, only sitegen is timed (cold, no-change "
         "and one article edited), and the tables add what a phone downloads for an article "
         "page, first view and whole page; for instance "
         "`python -m benchmarks --stories 200 --photos 12 --tools sitegen,sitegen@main`. "
         "That run writes BENCHMARKS-photos.md, so that this file keeps its figures."),
        "",
        ("A run at 20,000 stories takes hours with Pelican; "
         "`python -m benchmarks --stories 20000 --runs 1 --tools sitegen,hugo "
         "--report BENCHMARKS-20000.md` times sitegen beside Hugo alone, into a file of its "
         "own."),
        "",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}",
        f"- Versions: {versions(selected, missing)}",
        f"- Command: `{command}`",
        (f"- Corpus: `benchmarks/corpus.py`, seed {args.seed}; each story is one English and "
         "one Spanish article"
         + (f"; images replaced by a pool of {args.photos} camera photographs "
            "(`benchmarks/photos.py`)" if args.photos else "")),
        f"- Runs: {args.runs} per measure, median reported",
        "",
        "Build commands:",
        "",
    ]
    lines += [f"- {GENERATORS[n].label}: {GENERATORS[n].command_shown()}" for n in selected]
    return lines


def write_report(path: Path, header: list[str], sections: list[list[str]],
                 photos: int = 0) -> None:
    body = list(header)
    for section in filter(None, sections):
        body += ["", *section]
    body += ["", "## Notes", "", GENERAL_NOTES] + (["", PHOTO_NOTES] if photos else [])
    path.write_text("\n".join(body) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _int_list(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of numbers: {text!r}")
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive numbers")
    return values


def _tool_list(text: str) -> list[str]:
    """Tools in TOOL_ORDER, each `sitegen@REV` beside `sitegen` in the order given."""
    names = []
    for part in text.split(","):
        tool, at, revision = part.strip().partition("@")
        if tool:
            names.append(tool.lower() + at + revision)  # a revision's case is kept
    unknown = [name for name in names if name not in GENERATORS
               and not name.startswith("sitegen@")]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown tool(s) {', '.join(unknown) or '(none)'}; choose from "
            f"{', '.join(TOOL_ORDER)} or sitegen@REV")
    not_found = [name for name in names if name.startswith("sitegen@")
                 and revision_commit(name.removeprefix("sitegen@")) is None]
    if not_found:
        raise argparse.ArgumentTypeError(
            f"not a git revision of this repository: {', '.join(not_found)}")
    return sorted(dict.fromkeys(names), key=lambda name: TOOL_ORDER.index(name.split("@")[0]))


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time sitegen, Hugo and Pelican builds (cold, no-change, one article edited, "
                    "template edited) on identical bilingual corpora and write BENCHMARKS.md; "
                    "with --photos, time sitegen on stories illustrated by camera photographs "
                    "and weigh an article page as a phone downloads it. "
                    "Installs nothing: a generator that is not installed is skipped.")
    parser.add_argument("--stories", type=_int_list, default=[200, 1000, 5000],
                        help="comma-separated corpus sizes, in stories of one English and one "
                             "Spanish article (default: 200,1000,5000)")
    parser.add_argument("--runs", type=int, default=5,
                        help="runs per measure; the median is reported (default: 5)")
    parser.add_argument("--tools", type=_tool_list, default=list(TOOL_ORDER),
                        help="comma-separated generators to time (default: sitegen,hugo,pelican); "
                             "sitegen is the working tree, sitegen@REV the tree of git revision "
                             "REV (sitegen@main, sitegen@HEAD~3), to time a change before and "
                             "after")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default: 1)")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help="where corpora are generated and kept for reuse "
                             "(default: benchmarks/corpora/)")
    parser.add_argument("--serve-edits", type=int, default=20,
                        help="edits timed per site for the live preview's save-to-served "
                             "latency, on the example site and each corpus (default: 20; "
                             "0 skips it)")
    parser.add_argument("--photos", type=int, default=0, metavar="N",
                        help="replace the stories' images (a tiny placeholder each) with a pool "
                             "of N distinct camera-like JPEGs (3000x2000, some 2000x3000, "
                             "1.5-4 MB, EXIF with GPS), each referenced image taking one round "
                             "robin; time only sitegen and its revisions (Hugo and Pelican do "
                             "not resize images) on cold, no-change and one-article-edited "
                             "builds, add what a phone downloads for an article page, and skip "
                             "the live preview (default: 0, the placeholders)")
    parser.add_argument("--report", type=Path, default=None,
                        help="Markdown report to write (default: BENCHMARKS.md at the "
                             "repository root; BENCHMARKS-photos.md there with --photos)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.report is None:
        args.report = DEFAULT_PHOTO_REPORT if args.photos else DEFAULT_REPORT
    if args.photos < 0:
        parser.error("--photos must be 0 or more")
    if args.photos and not any(name.startswith("sitegen") for name in args.tools):
        parser.error("--photos times sitegen only: include sitegen or sitegen@REV in --tools")
    return args


def serve_section(args: argparse.Namespace, tools: Sequence[type[Sitegen]]) -> list[str]:
    """Save-to-served latency of each sitegen's live preview on the example site and on each
    corpus, the tools taking turns site by site."""
    results: list[serve_latency.Latency] = []
    with tempfile.TemporaryDirectory() as work:
        sites = [("example site", serve_latency.example_site(Path(work)))]
        for stories in args.stories:
            folder = ensure_corpus(args.workdir.resolve(), stories, args.seed)
            sites.append((f"{stories}-story corpus", folder / "sitegen"))
        with contextlib.ExitStack() as stack:
            for _, site in sites[1:]:
                stack.enter_context(corpus_in_use(site.parent))
            for label, site in sites:
                for tool in tools:
                    tool(site).prepare()  # the site's article template is this sitegen's own
                    results += serve_latency.run([(label, site)], args.serve_edits, tool.name,
                                                 tool.tree)
    return serve_latency.section(results, args.serve_edits)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    with revisions_exported(args.tools):
        return benchmark(args, argv)


def benchmark(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """Every size's tables, then the live preview's, written to the report as they come."""
    started = dt.datetime.now(dt.UTC)
    selected = args.tools
    if args.photos:
        for name in args.tools:
            if not issubclass(GENERATORS[name], Sitegen):
                _log(f"skipping {GENERATORS[name].label}: --photos times sitegen only")
        selected = [name for name in args.tools if issubclass(GENERATORS[name], Sitegen)]
    missing = {n: GENERATORS[n].missing() for n in selected if GENERATORS[n].launcher() is None}
    available = [GENERATORS[n] for n in selected if n not in missing]
    for name, why in missing.items():
        _log(f"skipping {GENERATORS[name].label}: {why}")
    header = report_header(args, argv, selected, missing, started)
    rows = PHOTO_ROWS if args.photos else STANDARD_ROWS
    sections: list[list[str]] = []
    sizes: list[tuple[int, Samples]] = []
    summary: list[list[str]] = []
    for stories in args.stories:
        folder = ensure_corpus(args.workdir.resolve(), stories, args.seed, args.photos)
        samples = benchmark_size(folder, available, args.runs, stories, rows)
        sizes.append((stories, samples))
        sections.append(size_section(stories, samples, selected, missing, args.photos))
        print("\n".join(sections[-1]) + "\n", flush=True)
        summary = [] if args.photos else [summary_section(sizes, selected, missing)]
        write_report(args.report, header, summary + sections, args.photos)
    served = [tool for tool in available if issubclass(tool, Sitegen)]
    if args.serve_edits > 0 and served and not args.photos:
        sections.append(serve_section(args, served))
        print("\n".join(sections[-1]) + "\n", flush=True)
        write_report(args.report, header, summary + sections, args.photos)
    _log(f"wrote {args.report}")
    return 0
