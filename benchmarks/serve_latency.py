"""Save-to-served latency of `sitegen serve`: the time from writing an article until the server
answers with the changed page, median of many edits.

It starts the real server on a free port, edits one article's last paragraph again and again
(writing the file as an editor's save does), and polls the article's URL until the response
carries the new words. This is what an editor waits for; the browser's reload comes on top.
The server is `python -m sitegen serve` of a source tree: this repository's working tree, or
the exported tree of an earlier revision that `python -m benchmarks` compares it with.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parents[1]
# `python -m sitegen` of the source tree PYTHONPATH names; -P keeps the current folder off
# sys.path, so that the repository's own sitegen/ cannot shadow another revision's.
SITEGEN = [sys.executable, "-P", "-m", "sitegen"]
POLL = 0.002  # seconds between requests while waiting for the change
DEADLINE = 60.0


def sitegen_env(tree: Path) -> dict[str, str]:
    """The environment in which SITEGEN runs the sitegen of a source tree. Its modules are
    compiled once and kept, as `pip install` does: a machine that forbids writing bytecode
    (PYTHONDONTWRITEBYTECODE) would otherwise time compiling sitegen in every build."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


@dataclass(frozen=True)
class Latency:
    tool: str
    label: str
    articles: int
    seconds: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000


class Server:
    """`sitegen serve` of a source tree on a free port, for as long as the `with` lasts."""

    def __init__(self, site: Path, tree: Path = ROOT) -> None:
        self.site = site
        self.tree = tree
        self.process: subprocess.Popen[str] | None = None
        self.base = ""

    def __enter__(self) -> Self:
        env = dict(sitegen_env(self.tree), SOURCE_DATE_EPOCH="1893456000", PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [*SITEGEN, "serve", "-s", str(self.site), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        assert self.process.stdout is not None
        for line in self.process.stdout:
            found = re.search(r"serving (http://\S+)", line)
            if found:
                self.base = found.group(1)
                return self
        raise RuntimeError("sitegen serve stopped before serving")

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=10)

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.base + path, timeout=10) as response:
            return response.read().decode("utf-8")


def measure(site: Path, article: Path, url_path: str, edits: int, label: str,
            tool: str = "sitegen", tree: Path = ROOT) -> Latency:
    """Edit the article's body `edits` times; each time, time save -> served."""
    original = article.read_text(encoding="utf-8")
    seconds = []
    articles = sum(1 for _ in (site / "content").rglob("*.md"))
    with Server(site, tree) as server:
        server.get(url_path)
        try:
            for run in range(edits):
                marker = f"Correction number {run} at {time.time_ns()}."
                text = original.rstrip("\n") + f"\n\n{marker}\n"
                started = time.perf_counter()
                article.write_text(text, encoding="utf-8")
                while marker not in server.get(url_path):
                    if time.perf_counter() - started > DEADLINE:
                        raise RuntimeError(f"the edit did not show within {DEADLINE:.0f} s")
                    time.sleep(POLL)
                seconds.append(time.perf_counter() - started)
                time.sleep(0.2)  # let the server settle, as an editor's typing would
        finally:
            article.write_text(original, encoding="utf-8")
    return Latency(tool, label, articles, seconds)


def article_url(site: Path, article: Path) -> str:
    """The served URL of an article, as sitegen itself makes it."""
    from sitegen.build import load_config
    from sitegen.content import ParseSettings, parse

    config = load_config(site)
    settings = ParseSettings.of(config, dict.fromkeys(config.codes, ""))
    rel = article.relative_to(site).as_posix()
    return "/" + parse(rel, article.read_bytes(), settings).path


def example_site(workdir: Path) -> Path:
    """A copy of the repository's example site, so that the edits never touch the original."""
    target = workdir / "example-site"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in ("content", "static", "pyproject.toml"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.is_file():
            shutil.copy2(source, target / name)
    return target


def first_article(site: Path) -> Path:
    """The first English article that has a slug-free title line (the corpus's or the example's)."""
    for path in sorted((site / "content").rglob("*.en.md")):
        text = path.read_text(encoding="utf-8")
        if "\ndraft: true" not in text and re.search(r"^title: ", text, re.MULTILINE):
            return path
    raise RuntimeError(f"no English article in {site}")


def section(results: list[Latency], edits: int) -> list[str]:
    lines = [
        "## Live preview: save to served page",
        "",
        (f"Median of {edits} edits of one article's body, from the end of the file's write "
         "until the server's response carries the new words (`benchmarks/serve_latency.py`)."),
        "",
        "| tool | site | article files | median (ms) | fastest (ms) | slowest (ms) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for result in results:
        lines.append(f"| {result.tool} | {result.label} | {result.articles} | "
                     f"{result.median_ms:.0f} | {min(result.seconds) * 1000:.0f} | "
                     f"{max(result.seconds) * 1000:.0f} |")
    return lines


def run(sites: Sequence[tuple[str, Path]], edits: int, tool: str = "sitegen",
        tree: Path = ROOT) -> list[Latency]:
    """Time the sites with the sitegen of a source tree, shown as `tool`."""
    results = []
    for label, site in sites:
        article = first_article(site)
        print(f"[serve] {tool}, {label}: timing {edits} edits of {article.name}",
              file=sys.stderr, flush=True)
        results.append(measure(site, article, article_url(site, article), edits, label, tool,
                               tree))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serve_latency",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("sites", nargs="*", type=Path,
                        help="sitegen sites to time (default: the example site)")
    parser.add_argument("--edits", type=int, default=20, help="edits per site (default: 20)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        sites = [(str(s), s) for s in args.sites] or [("example site", example_site(Path(work)))]
        print("\n".join(section(run(sites, args.edits), args.edits)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
