"""`sitegen status`: every story in every language, and what each version needs.

The desk's morning question is not "does it build" but "what still needs translating"; this is
the answer, as a terminal table and as the live preview's `/_status/` page.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..assemble import BuildOptions, is_published
from ..content import Article
from ..errors import Diagnostic
from .survey import Remembered, Survey, survey

STATES = ("published", "draft", "scheduled", "stale", "missing")


@dataclass(frozen=True, slots=True)
class Version:
    state: str  # one of STATES
    article: Article | None  # None when missing


@dataclass(frozen=True, slots=True)
class StoryStatus:
    name: str  # the story's files without language and suffix, below content/
    versions: tuple[Version, ...]  # in configured language order

    @property
    def newest(self) -> float:
        return max(v.article.date.timestamp() for v in self.versions if v.article)


@dataclass(frozen=True, slots=True)
class Status:
    languages: tuple[str, ...]
    stories: tuple[StoryStatus, ...]  # newest first
    problems: tuple[Diagnostic, ...]  # files that could not be read, left out of the table

    def counts(self, lang: str) -> dict[str, int]:
        column = self.languages.index(lang)
        counts = dict.fromkeys(STATES, 0)
        for story in self.stories:
            counts[story.versions[column].state] += 1
        return counts


def status(site_dir: Path, now: datetime, remembered: Remembered | None = None) -> Status:
    """`remembered`: the live preview's article memo, if there is one."""
    found = survey(site_dir, remembered)
    codes, readers = found.config.codes, BuildOptions(now=now)
    stories = [StoryStatus(_name(story.versions[0]),
                           tuple(_version(found, story.version(code), readers) for code in codes))
               for story in found.stories]
    stories.sort(key=lambda s: (-s.newest, s.name))
    errors = tuple(p for p in found.problems if p.severity == "error")
    return Status(codes, tuple(stories), errors)


def _name(article: Article) -> str:
    return article.pair_name.removeprefix("content/")


def _version(found: Survey, article: Article | None, readers: BuildOptions) -> Version:
    if article is None:
        return Version("missing", None)
    if article.draft:
        return Version("draft", article)
    if not is_published(article, readers):
        return Version("scheduled", article)
    return Version("stale" if article.source in found.stale else "published", article)


def table(report: Status) -> str:
    """A plain-text table: one row per story, a column per language, then the counts."""
    langs = report.languages
    width = max([len("story"), *(len(s.name) for s in report.stories)])
    cell = max(len(state) for state in STATES) + 2
    lines = ["story".ljust(width) + "  " + "".join(code.ljust(cell) for code in langs)]
    lines += [story.name.ljust(width) + "  " + "".join(v.state.ljust(cell) for v in story.versions)
              for story in report.stories]
    lines.append("")
    lines.append(" " * 6 + "".join(state.rjust(cell) for state in STATES))
    lines += [lang.ljust(6) + "".join(str(report.counts(lang)[state]).rjust(cell)
                                      for state in STATES) for lang in langs]
    if report.problems:
        lines.append("")
        count = len(report.problems)
        lines.append(f"{count} problem{'' if count == 1 else 's'} kept some files out of this "
                     "table; `sitegen check` lists them")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def page(report: Status, href: dict[str, str] | None = None) -> str:
    """The live preview's status page; `href` maps an article's file to its preview URL."""
    href = href or {}
    langs = report.languages
    esc = html.escape
    head = "".join(f"<th scope=col>{esc(code)}</th>" for code in langs)
    rows = []
    for story in report.stories:
        cells = []
        for version in story.versions:
            label = esc(version.state)
            article = version.article
            if article is not None and article.source in href:
                label = f'<a href="{esc(href[article.source])}">{label}</a>'
            title = f' title="{esc(article.source)}"' if article is not None else ""
            cells.append(f'<td class="{version.state}"{title}>{label}</td>')
        rows.append(f"<tr><th scope=row>{esc(story.name)}</th>{''.join(cells)}</tr>")
    counts = "".join(
        f"<tr><th scope=row>{esc(lang)}</th>"
        + "".join(f"<td>{report.counts(lang)[state]}</td>" for state in STATES) + "</tr>"
        for lang in langs)
    problems = (f"<p class=problems>{len(report.problems)} file(s) could not be read and are "
                "left out · no se pudieron leer y se omiten: run <code>sitegen check</code>.</p>"
                if report.problems else "")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Translation status · Estado de las traducciones</title>
<style>
body {{ font: 15px/1.5 system-ui, sans-serif; margin: 1.5rem; color: #1a1a1a; }}
table {{ border-collapse: collapse; margin: 1rem 0 2rem; }}
th, td {{ padding: .3rem .8rem; border-bottom: 1px solid #ddd; text-align: left; }}
tbody th {{ font-weight: normal; font-family: ui-monospace, monospace; }}
.missing {{ color: #9b1c1c; font-weight: 600; }} .stale {{ color: #8a5a00; font-weight: 600; }}
.draft, .scheduled {{ color: #555; }} .problems {{ color: #9b1c1c; }}
</style></head><body>
<h1>Translation status <small lang="es">· Estado de las traducciones</small></h1>
{problems}
<table><thead><tr><th scope=col>story · noticia</th>{head}</tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<table><thead><tr><th></th>{''.join(f"<th scope=col>{s}</th>" for s in STATES)}</tr></thead>
<tbody>{counts}</tbody></table>
</body></html>
"""
