"""The live preview under random sequences of saves: after every save, rebuilt from the paths the
watcher would name, it holds exactly what a cold `sitegen build --no-cache` of the same files
writes, and where a cold build fails, the preview fails too and keeps its last good pages.

Hypothesis drives an editor over a small bilingual site: bodies, headlines, dates, tags, drafts,
articles added, removed and renamed, translations joined by name or by `translation_key`, the
site's own templates, stylesheet, static files and catalog, the configuration, saves that break
a file and fix it, and bursts of saves built together, with and without `--drafts` and
`--future`. A failure prints the sequence of saves that led to it (shrinking it to the shortest
takes minutes: every try builds a site).
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from conftest import CONFIG, EPOCH, Result, Site, article, tree
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from test_preview_memo import BUNDLED_TEMPLATES, Editor

from sitegen.cli import main
from sitegen.commands.serve import Preview
from sitegen.staleness import fingerprint

BUNDLED_CATALOG = BUNDLED_TEMPLATES.parents[2] / "locales" / "es" / "LC_MESSAGES" / "messages.po"
CATALOG = "locales/es/LC_MESSAGES/messages.po"
LANGS = ("en", "es")
# Folders under content/: the first folder is the section; the third is renamed as a whole.
FOLDERS = ("world", "culture", "culture/features")
SUBFOLDERS = ("culture/features", "culture/reviews")

# Each random sequence builds a fresh site: no fixture is shared between examples.
SETTINGS = settings(max_examples=15, stateful_step_count=10, deadline=None, database=None,
                    print_blob=True)

# Small pools, so that sequences meet the cases that matter: equal dates (ties in every
# listing), a date after the build's clock, tags that are one tag however they are written,
# headlines that need escaping, and a footnote (whose back-link title comes from the catalog).
DATES = ("2014-03-01", "2014-03-01T00:00:00-05:00", "2014-03-01T12:00:00Z", "2015-07-20T09:30:00Z",
         "2016-11-05", "2019-02-14T18:00:00+01:00", "2024-12-31T23:00:00-05:00",
         "2025-06-01T10:00:00Z")
HEADLINES = ("Talks resume", "Havana & Washington", "¿Qué sigue para Cuba?", "AT&T <script>",
             'The "thaw"', "Elecciones en la isla")
TAGS = ("cuba", "Cuba", "havana", "música", "musica", "human rights", "economy")
AUTHORS = ("Staff", "Ana Pérez", "John Smith")
PARAGRAPHS = ("A first paragraph.", "Officials met in *Havana* on Monday.",
              "A claim that needs a note[^1].\n\n[^1]: The note.", "- one\n- two",
              "| a | b |\n|--:|:-:|\n| 1 | 2 |", "Un párrafo en español.")

# Where a marker goes in each template of the site's own theme (None: at its end).
TEMPLATE_SPOTS = {"article.html": "</article>", "base.html": "</body>",
                  "list.html": "</div>\n{% endblock %}", "partials/teaser.html": "</article>",
                  "partials/sources.html": None}
MARKERS = ("<b>marker {n}</b>", '{{ _("Older") }} {n}', "{{ _(\"Skip to content\") }} {n}")
# Catalog entries worth changing: on every page, on paginated pages, in bodies (footnotes).
MESSAGES = ("Skip to content", "Newer", "Older", "Topics", "Source:",
            "Jump back to footnote {} in the text")
# The theme's stylesheet (its fingerprinted name is in every page) and files of static/.
STATIC = ("themes/default/static/css/site.css", "static/logo.svg", "static/images/map.svg")


@dataclass(frozen=True)
class Version:
    """One article file as the editor last saved it."""

    title: str
    date: str
    tags: tuple[str, ...]
    author: str
    body: str
    slug: str | None = None
    draft: bool = False
    key: str | None = None  # translation_key
    translated_from: str | None = None

    def text(self) -> str:
        fields = {"tags": json.dumps(list(self.tags), ensure_ascii=False),
                  "authors": json.dumps([self.author], ensure_ascii=False),
                  "sources": "[Reuters]"}
        if self.slug is not None:
            fields["slug"] = self.slug
        if self.draft:
            fields["draft"] = "true"
        if self.key is not None:
            fields["translation_key"] = self.key
        if self.translated_from is not None:
            fields["translated_from"] = self.translated_from
        return article(json.dumps(self.title, ensure_ascii=False), date=self.date,
                       body=self.body, **fields)


@dataclass(frozen=True)
class Configuration:
    """The parts of the configuration the editor changes."""

    per_page: int = 3
    site_title: str = "The Island Post"
    world: tuple[str, str] = ("World", "Mundo")  # the section's title in en, es

    def text(self) -> str:
        site = CONFIG.split("[languages.en]")[0].replace(
            'theme = "default"\n', f'theme = "default"\nper_page = {self.per_page}\n')
        titles = {"en": self.site_title, "es": "El Post de la Isla"}
        tables = [f'[languages.{lang}]\ntitle = {json.dumps(titles[lang])}\n'
                  f'sections = {{ culture = "Culture", world = {json.dumps(world)} }}\n'
                  for lang, world in zip(LANGS, self.world)]
        return site + "\n".join(tables)


def name_of(rel: str) -> tuple[str, str, str]:
    """(folder, stem, language) of `content/folder/stem.lang.md`."""
    folder, file = rel.rsplit("/", 1)
    stem, lang, _ = file.rsplit(".", 2)
    return folder, stem, lang


def cold_runner(*args: str) -> Result:
    """`sitegen ARGS...` in this process, its output kept apart from the preview's."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return Result(code, out.getvalue(), err.getvalue())


def differences(preview: dict[str, bytes], cold: dict[str, bytes]) -> list[str]:
    """Every path that is only in one folder or holds other bytes in each."""
    return sorted(
        [f"only in the preview: {p}" for p in preview.keys() - cold.keys()]
        + [f"only in the cold build: {p}" for p in cold.keys() - preview.keys()]
        + [f"differs: {p}" for p in preview.keys() & cold.keys() if preview[p] != cold[p]])


class PreviewEditing(RuleBasedStateMachine):
    """An editor saving files of a bilingual site while the preview rebuilds after each save."""

    def __init__(self, base: Path) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(dir=base))
        self.site = Site(self.folder / "site", cold_runner)
        self.cold = self.folder / "cold"
        self.versions: dict[str, Version] = {}  # content/... -> what the file says
        self.configuration = Configuration()
        self.templates: dict[str, str] = {}  # the site's own templates: name -> marker
        self.catalog: dict[str, str] | None = None  # msgid -> msgstr in the site's own catalog
        self.statics: set[str] = set()  # files of STATIC the site has
        self.folders = list(FOLDERS)  # as they are named now
        self.broken: set[str] = set()  # files saved broken and not saved whole since
        self.serial = 0  # makes new names, slugs, keys and markers unique
        self.built = False  # whether the preview's last rebuild succeeded
        self.held = 0  # saves still to come in a burst, built together after the last
        self.pending: set[str] = set()  # what the watcher named during the burst
        self.good: dict[str, bytes] = {}  # what the preview held after its last good build
        self.options: tuple[str, ...] = ()  # --drafts, --future: as the preview builds

    # The site ----------------------------------------------------------------------------------

    @initialize(drafts=st.booleans(), future=st.booleans())
    def a_site_with_six_stories(self, drafts: bool, future: bool) -> None:
        self.site.root.mkdir(parents=True)
        self.site.write("sitegen.toml", self.configuration.text())
        for n in range(6):
            folder = FOLDERS[n % 3]
            for lang in LANGS[:1 + (n < 4)]:  # stories 4 and 5 are not translated yet
                self.versions[f"content/{folder}/story{n}.{lang}.md"] = Version(
                    f"Story {n} {lang}", DATES[n], (TAGS[n], TAGS[(n + 2) % len(TAGS)]),
                    AUTHORS[n % 3], f"Story {n}.\n\n{PARAGRAPHS[n]}\n", slug=f"story-{n}-{lang}",
                    draft=n == 3 and lang == "es")
        for rel, version in self.versions.items():
            self.site.write(rel, version.text())
        self.editor = Editor(self.site)
        self.preview = Preview(self.site.root, drafts=drafts, future=future)
        self.options = ("--drafts",) * drafts + ("--future",) * future
        self.built = self.preview.rebuild(jobs=1)

    def teardown(self) -> None:
        try:
            if self.held:  # the sequence ended in a burst: its build comes now
                self.held = 0
                self.rebuild([])
                self.the_preview_holds_what_a_cold_build_writes()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    def rebuild(self, paths: list[str]) -> None:
        """The preview rebuilds from what the watcher named (in a burst, after its last save)."""
        self.pending.update(paths)
        if self.held:
            self.held -= 1
            if self.held:
                return
        self.built = self.preview.rebuild(self.pending)
        self.pending = set()

    def save(self, rel: str, version: Version) -> str:
        self.versions[rel] = version
        self.broken.discard(rel)
        return self.editor.save(rel, version.text())

    def pick(self, data: st.DataObject, label: str) -> str:
        return data.draw(st.sampled_from(sorted(self.versions)), label=label)

    def stories(self) -> list[set[str]]:
        """The files of each story, linked as sitegen links them: by name or by key."""
        links: dict[tuple[str, ...], set[str]] = {}
        for rel, version in self.versions.items():
            folder, stem, _ = name_of(rel)
            links.setdefault(("name", folder, stem), set()).add(rel)
            if version.key is not None:
                links.setdefault(("key", version.key), set()).add(rel)
        groups: list[set[str]] = []
        for linked in links.values():
            joined = [g for g in groups if g & linked]
            groups = [g for g in groups if not g & linked] + [set().union(linked, *joined)]
        return sorted(groups, key=sorted)

    # Saves of one article ------------------------------------------------------------------------

    @precondition(lambda self: self.versions)
    @rule(data=st.data(), paragraphs=st.lists(st.sampled_from(PARAGRAPHS), min_size=1, max_size=3))
    def edit_a_body(self, data: st.DataObject, paragraphs: list[str]) -> None:
        rel = self.pick(data, "article")
        body = "\n\n".join(paragraphs) + "\n"
        self.rebuild([self.save(rel, replace(self.versions[rel], body=body))])

    @precondition(lambda self: self.versions)
    @rule(data=st.data(), headline=st.sampled_from(HEADLINES))
    def edit_a_headline(self, data: st.DataObject, headline: str) -> None:
        rel = self.pick(data, "article")
        title = f"{headline} {self.next_serial()}"  # a slug made of it is the site's only one
        self.rebuild([self.save(rel, replace(self.versions[rel], title=title))])

    @precondition(lambda self: self.versions)
    @rule(data=st.data(), date=st.sampled_from(DATES))
    def change_a_date(self, data: st.DataObject, date: str) -> None:
        rel = self.pick(data, "article")
        self.rebuild([self.save(rel, replace(self.versions[rel], date=date))])

    @precondition(lambda self: self.versions)
    @rule(data=st.data(), tags=st.lists(st.sampled_from(TAGS), max_size=3, unique=True))
    def change_the_tags(self, data: st.DataObject, tags: list[str]) -> None:
        rel = self.pick(data, "article")
        self.rebuild([self.save(rel, replace(self.versions[rel], tags=tuple(tags)))])

    @precondition(lambda self: self.versions)
    @rule(data=st.data(), author=st.sampled_from(AUTHORS))
    def change_the_author(self, data: st.DataObject, author: str) -> None:
        rel = self.pick(data, "article")
        self.rebuild([self.save(rel, replace(self.versions[rel], author=author))])

    @precondition(lambda self: self.versions)
    @rule(data=st.data())
    def toggle_draft(self, data: st.DataObject) -> None:
        rel = self.pick(data, "article")
        version = self.versions[rel]
        self.rebuild([self.save(rel, replace(version, draft=not version.draft))])

    # Articles that come, go and move -------------------------------------------------------------

    @rule(folder=st.integers(0, len(FOLDERS) - 1), lang=st.sampled_from(LANGS),
          headline=st.sampled_from(HEADLINES), date=st.sampled_from(DATES),
          tags=st.lists(st.sampled_from(TAGS), max_size=2, unique=True),
          own_slug=st.booleans())
    def add_an_article(self, folder: int, lang: str, headline: str, date: str, tags: list[str],
                       own_slug: bool) -> None:
        n = self.next_serial()
        version = Version(f"{headline} {n}", date, tuple(tags), AUTHORS[n % 3], "News.\n",
                          slug=f"new-{n}" if own_slug else None)
        self.rebuild([self.save(f"content/{self.folders[folder]}/new{n}.{lang}.md", version)])

    @precondition(lambda self: self.versions)
    @rule(data=st.data())
    def delete_an_article(self, data: st.DataObject) -> None:
        rel = self.pick(data, "article")
        del self.versions[rel]
        self.broken.discard(rel)
        self.rebuild([self.editor.remove(rel)])

    @precondition(lambda self: self.versions)
    @rule(data=st.data(), folder=st.integers(0, len(FOLDERS) - 1))
    def rename_an_article(self, data: st.DataObject, folder: int) -> None:
        """A new name leaves a story paired by name (a key keeps it); another folder is another
        section."""
        rel = self.pick(data, "article")
        _, _, lang = name_of(rel)
        self.rebuild(self.move(
            rel, f"content/{self.folders[folder]}/moved{self.next_serial()}.{lang}.md"))

    def in_subfolder(self) -> list[str]:
        return [rel for rel in sorted(self.versions)
                if rel.startswith(f"content/{self.folders[2]}/")]

    @precondition(lambda self: self.in_subfolder())
    @rule(delete=st.booleans())
    def rename_or_delete_a_folder(self, delete: bool) -> None:
        """The watcher names the folder (and no file in it) when it moves or goes."""
        old = self.folders[2]
        new = next(name for name in SUBFOLDERS if name != old)
        for rel in self.in_subfolder():
            version = self.versions.pop(rel)
            if not delete:
                self.versions[rel.replace(f"/{old}/", f"/{new}/")] = version
        self.broken = {rel.replace(f"/{old}/", f"/{new}/") for rel in self.broken
                       if not delete or not rel.startswith(f"content/{old}/")}
        before, after = self.editor.root / "content" / old, self.editor.root / "content" / new
        if delete:
            shutil.rmtree(before)
            self.rebuild([str(before)])
        else:
            before.rename(after)
            self.folders[2] = new
            self.rebuild([str(before), str(after)])

    def move(self, rel: str, to: str) -> list[str]:
        self.versions[to] = self.versions.pop(rel)
        if rel in self.broken:
            self.broken.remove(rel)
            self.broken.add(to)
        (self.editor.root / to).parent.mkdir(parents=True, exist_ok=True)
        return self.editor.move(rel, to)

    # Translations ------------------------------------------------------------------------------

    def untranslated(self) -> list[tuple[str, list[str]]]:
        """(a language missing, the files of its story) for every story that lacks one."""
        missing = []
        for story in self.stories():
            langs = {name_of(rel)[2] for rel in story}
            missing += [(lang, sorted(story)) for lang in LANGS if lang not in langs]
        return missing

    @precondition(lambda self: self.untranslated())
    @rule(data=st.data(), how=st.sampled_from(["by name", "by key", "by renaming"]),
          headline=st.sampled_from(HEADLINES), fingerprinted=st.booleans())
    def add_a_translation(self, data: st.DataObject, how: str, headline: str,
                          fingerprinted: bool) -> None:
        """Join a version to a story that lacks its language: a file of the story's name, a
        file anywhere sharing its `translation_key`, or a lone article renamed into the pair."""
        lang, story = data.draw(st.sampled_from(self.untranslated()), label="story and language")
        original = story[0]
        folder, stem, _ = name_of(original)
        n = self.next_serial()
        version = Version(f"{headline} {n}", self.versions[original].date, ("cuba",), "Staff",
                          "Traducción.\n", slug=f"translation-{n}")
        if fingerprinted:  # as `sitegen new --translation-of` writes it: stale once edited
            source = self.versions[original]
            version = replace(version, translated_from=fingerprint(source.title, source.body))
        paired = f"{folder}/{stem}.{lang}.md"
        lone = [rel for rel in sorted(self.versions) if name_of(rel)[2] == lang
                and self.versions[rel].key is None and [rel] in map(sorted, self.stories())]
        if how == "by renaming" and lone and paired not in self.versions:
            self.rebuild(self.move(data.draw(st.sampled_from(lone), label="lone article"),
                                   paired))
        elif how == "by key" or paired in self.versions:
            key = next((self.versions[rel].key for rel in story if self.versions[rel].key), None)
            paths = []
            if key is None:
                key = f"story-{n}"
                paths.append(self.save(original, replace(self.versions[original], key=key)))
            paths.append(self.save(f"content/{self.folders[0]}/translation{n}.{lang}.md",
                                   replace(version, key=key)))
            self.rebuild(paths)
        else:
            self.rebuild([self.save(paired, version)])

    @precondition(lambda self: any(v.key for v in self.versions.values()))
    @rule(data=st.data())
    def remove_a_translation_key(self, data: st.DataObject) -> None:
        rel = data.draw(st.sampled_from(sorted(r for r, v in self.versions.items() if v.key)))
        self.rebuild([self.save(rel, replace(self.versions[rel], key=None))])

    # The theme, the catalog and the configuration --------------------------------------------------

    def template_text(self, name: str) -> str:
        text = (BUNDLED_TEMPLATES / name).read_text("utf-8")
        spot, marker = TEMPLATE_SPOTS[name], self.templates[name]
        if spot is None:
            return text + marker + "\n"
        assert spot in text, (name, spot)
        head, _, tail = text.rpartition(spot)
        return head + marker + spot + tail

    def save_template(self, name: str) -> str:
        rel = f"themes/default/templates/{name}"
        self.broken.discard(rel)
        return self.editor.save(rel, self.template_text(name))

    @rule(name=st.sampled_from(sorted(TEMPLATE_SPOTS)), marker=st.sampled_from(MARKERS))
    def edit_a_template(self, name: str, marker: str) -> None:
        """The first edit copies the bundled template into the site's own theme folder."""
        self.templates[name] = marker.replace("{n}", str(self.next_serial()))
        self.rebuild([self.save_template(name)])

    @precondition(lambda self: self.templates)
    @rule(data=st.data())
    def remove_a_template(self, data: st.DataObject) -> None:
        """The bundled template of its name is used again."""
        name = data.draw(st.sampled_from(sorted(self.templates)), label="template")
        del self.templates[name]
        rel = f"themes/default/templates/{name}"
        self.broken.discard(rel)
        self.rebuild([self.editor.remove(rel)])

    def catalog_bytes(self) -> bytes:
        assert self.catalog is not None
        with BUNDLED_CATALOG.open("rb") as fp:
            catalog = read_po(fp)
        for msgid, string in self.catalog.items():
            message = catalog[msgid]
            message.string = (string,) * len(message.string) if message.pluralizable else string
        buffer = io.BytesIO()
        write_po(buffer, catalog)
        return buffer.getvalue()

    def save_catalog(self) -> str:
        self.broken.discard(CATALOG)
        path = self.site.root / CATALOG
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.catalog_bytes())
        return str(path.resolve())

    @rule(msgid=st.sampled_from(MESSAGES))
    def edit_the_catalog(self, msgid: str) -> None:
        """The first edit copies the bundled Spanish catalog into the site's own locales/."""
        n = self.next_serial()
        string = f"Nota {{}} ({n})" if "{}" in msgid else f"{msgid} ({n})"
        self.catalog = {**(self.catalog or {}), msgid: string}
        self.rebuild([self.save_catalog()])

    @precondition(lambda self: self.catalog is not None)
    @rule()
    def remove_the_catalog(self) -> None:
        self.catalog = None
        self.broken.discard(CATALOG)
        self.rebuild([self.editor.remove(CATALOG)])

    @rule(per_page=st.integers(1, 5), world=st.sampled_from([("World", "Mundo"),
                                                             ("World", "Internacional"),
                                                             ("International", "Mundo")]),
          site_title=st.sampled_from(["The Island Post", "The Post"]))
    def edit_the_configuration(self, per_page: int, world: tuple[str, str],
                               site_title: str) -> None:
        self.configuration = Configuration(per_page, site_title, world)
        self.rebuild([self.save_config()])

    def save_config(self) -> str:
        self.broken.discard("sitegen.toml")
        return self.editor.save("sitegen.toml", self.configuration.text())

    @rule(rel=st.sampled_from(STATIC), n=st.integers(0, 2))
    def edit_a_static_file(self, rel: str, n: int) -> None:
        """The first save of the stylesheet hides the bundled one."""
        self.statics.add(rel)
        if rel.endswith(".css"):
            bundled = BUNDLED_TEMPLATES.parent / "static" / "css" / "site.css"
            text = bundled.read_text("utf-8") + f"\n.marker-{n} {{ color: red; }}\n"
        else:
            text = f'<svg xmlns="http://www.w3.org/2000/svg" width="{n + 1}" height="1"/>\n'
        self.rebuild([self.editor.save(rel, text)])

    @precondition(lambda self: self.statics)
    @rule(data=st.data())
    def remove_a_static_file(self, data: st.DataObject) -> None:
        rel = data.draw(st.sampled_from(sorted(self.statics)), label="static file")
        self.statics.remove(rel)
        self.rebuild([self.editor.remove(rel)])

    @precondition(lambda self: self.versions)
    @rule(data=st.data())
    def resave_with_windows_line_endings(self, data: st.DataObject) -> None:
        """Other bytes, the same article."""
        rel = self.pick(data, "article")
        text = (self.site.root / rel).read_text("utf-8")
        self.rebuild([self.editor.save(rel, text.replace("\r\n", "\n").replace("\n", "\r\n"))])

    @precondition(lambda self: not self.held)
    @rule(saves=st.integers(2, 3))
    def a_burst_of_saves(self, saves: int) -> None:
        """The next saves come faster than a build: one build follows the last of them."""
        self.held = saves

    # Saves that break a file ----------------------------------------------------------------------

    def breakable(self) -> list[str]:
        return ["sitegen.toml", *sorted(self.versions),
                *(f"themes/default/templates/{name}" for name in sorted(self.templates)),
                *([CATALOG] if self.catalog is not None else [])]

    def break_file(self, rel: str) -> str:
        """Save `rel` half-typed: YAML, TOML, Jinja or gettext that does not parse."""
        text = (self.site.root / rel).read_text("utf-8")
        if rel.startswith("content/"):
            broken = text.replace("title: ", "title: [oops ", 1)
        elif rel == "sitegen.toml":
            broken = text.replace("per_page = ", "per_page = [", 1)
        elif rel == CATALOG:
            broken = text.replace('msgstr "', 'msgstr "\\', 1) + 'msgid "x\n'
        else:
            broken = text + "{% if %}\n"
        assert broken != text
        self.broken.add(rel)
        return self.editor.save(rel, broken)

    def fix(self, rel: str) -> str:
        """Save `rel` whole again, as the editor meant it."""
        if rel in self.versions:
            return self.save(rel, self.versions[rel])
        if rel == "sitegen.toml":
            return self.save_config()
        if rel == CATALOG:
            return self.save_catalog()
        return self.save_template(rel.removeprefix("themes/default/templates/"))

    @precondition(lambda self: not self.broken and not self.held)
    @rule(data=st.data())
    def save_a_broken_file(self, data: st.DataObject) -> None:
        """Left broken while other saves come; the preview keeps its last good pages."""
        rel = data.draw(st.sampled_from(self.breakable()), label="file")
        self.rebuild([self.break_file(rel)])
        assert not self.built and any(rel in p for p in self.preview.problems), \
            self.preview.problems

    @precondition(lambda self: self.broken)
    @rule()
    def fix_the_broken_file(self) -> None:
        self.rebuild([self.fix(rel) for rel in sorted(self.broken)])

    @precondition(lambda self: not self.broken and not self.held)
    @rule(data=st.data())
    def save_a_broken_file_then_its_fix(self, data: st.DataObject) -> None:
        rel = data.draw(st.sampled_from(self.breakable()), label="file")
        before = tree(self.preview.out_dir)
        self.rebuild([self.break_file(rel)])
        assert not self.built and any(rel in p for p in self.preview.problems), \
            self.preview.problems
        assert tree(self.preview.out_dir) == before
        self.rebuild([self.fix(rel)])

    @precondition(lambda self: not self.held)
    @rule()
    def a_quiet_while_passes(self) -> None:
        """The preview looks at every source once, in case the watcher missed a save."""
        if self.preview.rebuild(None):
            self.built = True
        elif not self.broken:  # False with problems unchanged is the same failure, unsaid
            self.built = False

    # What must hold after every save --------------------------------------------------------------

    @invariant()
    def the_preview_holds_what_a_cold_build_writes(self) -> None:
        if self.held:
            return  # in the middle of a burst: the preview has not built yet
        shutil.rmtree(self.cold, ignore_errors=True)
        cold = self.site.build("--no-cache", "-j", "1", "-o", str(self.cold), *self.options)
        if cold.code != 0:
            assert not self.built, f"the preview built what a cold build refuses:\n{cold.err}"
            assert tree(self.preview.out_dir) == self.good, "a failed build changed the preview"
            return
        assert self.built, f"a cold build succeeds where the preview fails: {self.preview.problems}"
        preview = tree(self.preview.out_dir)
        differing = differences(preview, tree(self.cold))
        assert not differing, "the preview differs from a cold build:\n" + "\n".join(differing)
        self.good = preview


def test_after_any_saves_the_preview_equals_a_cold_build(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    run_state_machine_as_test(lambda: PreviewEditing(tmp_path), settings=SETTINGS)
