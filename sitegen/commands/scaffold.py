"""`sitegen new` and `sitegen init`: the only commands that write into a site, and never over a file.

An editor should start from a file that already builds: the front matter is filled in and
checked against the site before anything is written, and a translation starts out paired with
its original and remembering what it was translated from, so `sitegen check` can tell when the
original changes later. A translation holds only what a translator writes: what describes the
story (date, byline, section, sources, image, tags) it inherits, and a comment in its front
matter says what, and from which file.
"""

from __future__ import annotations

import difflib
import shutil
import textwrap
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from .. import discover, urls
from ..config import SiteConfig
from ..config import load as load_config
from ..content import INHERITABLE, Article, declared_sections
from ..errors import BuildFailed, Diagnostic, error
from ..translations import TranslationGroup
from .survey import Survey, survey

_COMMENT_WIDTH = 100
_INHERITED_ORDER = ("date", "authors", "section", "sources", "image", "tags")  # as read on a page
_GIT = ".git"  # the one entry `init` accepts in an existing folder: a fresh `git init`


# sitegen new ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _NewFile:
    """The article `new` is about to write, checked before a byte is written."""

    rel: str  # relative to the site folder, as diagnostics show it
    lang: str
    section: str
    slug: str
    fields: dict[str, Any]  # its front matter, in the order it is written
    notes: tuple[str, ...] = ()  # a comment for the editor, written below the fields


def new_article(site: Path, title: str, *, lang: str | None, section: str | None,
                translation_of: Path | None, now: datetime) -> Path:
    """Write a new article, or a translation of one, and return the path of the file written
    (relative to the current folder when the site is under it).

    Every check runs first; the file is created only if it does not exist yet."""
    headline = _headline(title)
    config = load_config(site)
    if not config.content_dir.is_dir():
        raise BuildFailed([error("content", None, "no content/ folder: is this a site? Pass "
                                                  "-s SITE, or start one with `sitegen init DIR`")])
    # A colleague's typo in another story is for `sitegen check` to report, not a reason to
    # refuse a new one: files that do not parse are left out.
    found = survey(site)
    if translation_of is None:
        new = _new_story(config, found.articles, headline, lang, section, now)
    else:
        new = _new_translation(config, found, headline, lang, section, translation_of)
    _check_free(config, found.articles, new)
    target = config.site_dir / new.rel
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8", newline="\n") as file:  # "x": never overwrite
        file.write(_front_matter(new.fields, new.notes) + "\n")
    return _shown(target)


def _headline(title: str) -> str:
    """The title as the article will hold it; it must make a URL too."""
    headline = title.strip()
    if not headline:
        raise BuildFailed([error("TITLE", None, "the title must not be empty")])
    if "\n" in headline or "\r" in headline:
        raise BuildFailed([error("TITLE", None, "a title is one line: remove the line breaks")])
    if not urls.slugify(headline):
        raise BuildFailed([error("TITLE", None, f"the title {headline!r} gives an empty URL "
                                                "slug: it needs letters or digits")])
    return headline


def _new_story(config: SiteConfig, articles: tuple[Article, ...], headline: str,
               lang: str | None, section: str | None, now: datetime) -> _NewFile:
    """A story's first version: in the section's folder, named by its slug and language."""
    lang = lang or config.default_language
    _check_language(config, lang)
    section = section if section is not None else _default_section(config, lang)
    _check_section(config, section)
    slug = urls.slugify(headline)
    rel = f"content/{section}/{slug}.{lang}.md"
    _check_absent(config, rel)
    namesake = next((a for a in articles if a.pair_name == f"content/{section}/{slug}"),
                    None)
    if namesake is not None:
        raise BuildFailed([error(rel, None, f"{namesake.source} has the same name, so the new "
                                            "file would pair with it as its translation: to "
                                            "translate it use --translation-of, otherwise "
                                            "choose another title")])
    fields = _fields(headline, now, config, lang, slug, section)
    return _NewFile(rel, lang, section, slug, fields)


def _default_section(config: SiteConfig, lang: str) -> str:
    """The first section the configuration lists for the language, if it lists any."""
    listed = config.language(lang).sections
    if listed:
        return next(iter(listed))
    declared = declared_sections(config)
    if declared:
        raise BuildFailed([error("--section", None, f"no section given and [languages.{lang}] "
                                                    "lists no sections: pass --section NAME, one "
                                                    f"of {', '.join(declared)}")])
    folders = sorted(p.name for p in config.content_dir.iterdir()
                     if p.is_dir() and not discover.ignored(p.name))
    known = f"the folders under content/ are {', '.join(folders)}" if folders else \
        "content/ has no section folders yet"
    raise BuildFailed([error("--section", None, f"no section given and no language declares "
                                                f"any; {known}: declare them in "
                                                f"[languages.{lang}] of {config.config_file}, "
                                                'as sections = { news = "News" }')])


def _new_translation(config: SiteConfig, found: Survey, headline: str, lang: str | None,
                     section: str | None, given: Path) -> _NewFile:
    """Another language version of a story: beside the original and named like it, so the two
    pair by name. It holds what is translated (the headline, the image's description, the body
    to come) and inherits the rest; it gives its section only where its folder would give
    another one."""
    original = _original(config, found, given)
    story = next(s for s in found.stories if original in s.versions)
    lang = _translation_language(config, original, story, lang)
    rel = f"{original.pair_name}.{lang}.md"
    _check_absent(config, rel)
    if section is not None:
        _check_section(config, section)
    wanted = section if section is not None else original.section
    from_folder = _folder_section(rel)
    own_section = wanted if wanted and wanted != from_folder and (
        section is not None or from_folder) else None
    slug = urls.slugify(headline)
    written = {"section"} if own_section or from_folder else set()
    # A page of the publication (content/pages/) has nothing to inherit, and no section.
    inherited = {} if original.is_page else _inherited(story, written)
    image = inherited.get("image")
    fields: dict[str, Any] = {
        "title": headline,
        "draft": True,  # an empty story waits for its text: the editor publishes it
        "lang": lang,
        "slug": slug,
        "section": own_section,
        "image_alt": (image.image_alt or None) if image else None,  # to translate
        "translation_key": original.translation_key,
        "translated_from": original.fingerprint,
    }
    fields = {key: value for key, value in fields.items() if value is not None}
    effective = "" if original.is_page else own_section or from_folder or wanted
    notes = _inheritance_notes(config, lang, inherited, image is not None and bool(image.image_alt))
    return _NewFile(rel, lang, effective, slug, fields, notes)


def _folder_section(rel: str) -> str:
    """The section a file's folder gives it: the first folder under content/, if any."""
    parts = rel.split("/")[1:-1]
    return parts[0] if parts else ""


def _inherited(story: TranslationGroup, written: set[str]) -> dict[str, Article]:
    """Each field a new version of `story` that writes only `written` of them inherits, and the
    version it takes it from (the first in the order of the site's languages that gives it)."""
    found: dict[str, Article] = {}
    for name in sorted(INHERITABLE, key=_INHERITED_ORDER.index):  # a new field must be placed
        source = None if name in written else \
            next((v for v in story.versions if name in v.given), None)
        if source is not None:
            found[name] = source
    return found


def _inheritance_notes(config: SiteConfig, lang: str, inherited: dict[str, Article],
                       alt_given: bool) -> tuple[str, ...]:
    """The comment that tells the editor what the version shows without writing it: each
    inherited field as the line that would give it, under the file it comes from (uncommented,
    it gives the version its own); the tags the glossary cannot translate; what to translate of
    the image. In English, the language of sitegen's own messages."""
    from babel import Locale

    language = Locale("en").languages.get(lang, lang)
    by_file: dict[str, list[str]] = {}
    untranslated: list[str] = []
    for name, source in inherited.items():
        value = _inherited_value(source, name)
        if name == "tags":
            spelled = [(tag, config.glossary.translate(tag, source.lang, lang))
                       for tag in source.tags]
            untranslated = [tag for tag, spelling in spelled if spelling is None]
            value = list(dict.fromkeys(spelling for _, spelling in spelled if spelling))
            if not value:
                continue
        by_file.setdefault(source.source, []).append(_field_line(name, value, flow=True))
    notes = [line for file, lines in by_file.items()
             for line in (f"Inherited from {file}:", *lines)]
    prose = []
    if untranslated:
        quoted = ", ".join(f'"{tag}"' for tag in untranslated)
        what, them = (f"tag {quoted} has", "it") if len(untranslated) == 1 else \
            (f"tags {quoted} have", "them")
        prose.append(f"Not inherited: {what} no {language} spelling in [terms] of "
                     f"{config.config_file}: add {them} there, or give tags: here.")
    if "image" in inherited:
        prose.append(f"image_alt above is the original's: translate it into {language}."
                     if alt_given else
                     f"The image has no description: add image_alt: in {language}.")
    if notes:
        prose.append("Uncomment a field above to give this version its own instead.")
    for sentence in prose:
        notes += textwrap.wrap(sentence, width=_COMMENT_WIDTH - 2, subsequent_indent="  ",
                               break_long_words=False, break_on_hyphens=False)
    return tuple(notes)


def _inherited_value(source: Article, name: str) -> Any:
    """A field of `source` as its front matter would give it."""
    if name == "sources":
        return [s.name if s.url is None else {"name": s.name, "url": s.url}
                for s in source.sources]
    value = getattr(source, name)
    return list(value) if isinstance(value, tuple) else value


def _original(config: SiteConfig, found: Survey, given: Path) -> Article:
    """The article FILE names: relative to the current folder, or else to the site."""
    where = next((p for p in (given, config.site_dir / given) if p.is_file()), None)
    if where is None:
        raise BuildFailed([error(str(given), None, "no such file, neither in the current folder "
                                                   "nor in the site folder")])
    try:
        rel = where.resolve().relative_to(config.site_dir.resolve()).as_posix()
    except ValueError:
        rel = None
    problems = [p for p in found.problems if p.path == rel]
    if problems:
        raise BuildFailed(problems)  # a translation starts from an original that builds
    original = next((a for a in found.articles if a.source == rel), None)
    if original is None:
        raise BuildFailed([error(str(given), None, "not an article of this site: articles are "
                                                   ".md files under its content/ folder")])
    return original


def _translation_language(config: SiteConfig, original: Article, story: TranslationGroup,
                          lang: str | None) -> str:
    """--lang, or the first configured language the story lacks."""
    if lang is None:
        missing = [code for code in config.codes if story.version(code) is None]
        if not missing:
            files = ", ".join(a.source for a in story.versions)
            raise BuildFailed([error(original.source, None, "the story already has a version in "
                                                            f"every configured language: {files}")])
        return missing[0]
    _check_language(config, lang)
    if lang == original.lang:
        raise BuildFailed([error("--lang", None, f"{original.source} is itself the {lang!r} "
                                                 "version: a translation needs another language")])
    existing = story.version(lang)
    if existing is not None:
        raise BuildFailed([error(existing.source, None, f"is already the {lang!r} version of "
                                                        f"{original.source}: edit it rather "
                                                        "than start another")])
    return lang


def _fields(headline: str, now: datetime, config: SiteConfig, lang: str, slug: str,
            section: str) -> dict[str, Any]:
    """A story's front matter, in the order the README shows it: what the editor fills in
    first, and an empty list of sources to fill in."""
    fields: dict[str, Any] = {
        "title": headline,
        "date": now.astimezone(config.tz).replace(microsecond=0),
        "draft": True,  # an empty story waits for its text: the editor publishes it
        "lang": lang,
        "slug": slug,
        "section": section or None,
        "sources": [],
    }
    return {key: value for key, value in fields.items() if value is not None}


def _check_language(config: SiteConfig, lang: str) -> None:
    if lang not in config.codes:
        raise BuildFailed([error("--lang", None, f"language {lang!r} is not configured "
                                                 f"(site.languages is {list(config.codes)})")])


def _check_section(config: SiteConfig, section: str) -> None:
    """One folder name that some language declares: the story must build."""
    if not urls.is_segment(section):
        raise BuildFailed([error("--section", None, f"section {section!r} must be a single "
                                                    "folder name like 'americas' (letters, "
                                                    "digits, '-')")])
    declared = declared_sections(config)
    if section not in declared:
        hint = difflib.get_close_matches(section, declared, n=1, cutoff=0.6)
        raise BuildFailed([error("--section", None, f"section {section!r} is not declared by "
                                 "any language" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                                 + f": the declared sections are {', '.join(declared) or 'none'}"
                                 f"; declare it in `sections` of [languages.*] in "
                                 f"{config.config_file}")])


def _check_absent(config: SiteConfig, rel: str) -> None:
    if (config.site_dir / rel).exists() or (config.site_dir / rel).is_symlink():
        raise BuildFailed([error(rel, None, "already exists: sitegen new never overwrites a file")])


def _check_free(config: SiteConfig, articles: tuple[Article, ...], new: _NewFile) -> None:
    """No other article of the language may have the new one's page: its URL would be taken."""
    segment = config.language(new.lang).section_segment(new.section) if new.section else ""
    path = urls.article(new.lang, segment, new.slug)
    taken = next((a for a in articles if a.lang == new.lang and a.path == path), None)
    if taken is not None:
        raise BuildFailed([error(new.rel, None, f"its page /{path} is taken by {taken.source}: "
                                                "choose another title or section")])


def _shown(path: Path) -> Path:
    """Relative to the current folder when it is under it, as an editor typed it."""
    try:
        return path.relative_to(Path.cwd().resolve())
    except ValueError:
        return path


class _Dumper(yaml.SafeDumper):
    """Lists under a key indented, as editors write them (`sources:` then `  - Reuters`)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _front_matter(fields: dict[str, Any], notes: tuple[str, ...] = ()) -> str:
    """The `---` block for `fields`, quoted by PyYAML so that any title reads back as written;
    dates are written as ISO 8601 with their offset, tags as one line; `notes` as a YAML
    comment below them."""
    lines = ["---", *(_field_line(key, value, flow=key == "tags") for key, value in fields.items())]
    lines += [f"# {note}" for note in notes]
    return "\n".join(lines + ["---"]) + "\n"


def _field_line(key: str, value: Any, flow: bool) -> str:
    """One field as YAML; a list on one line where `flow`."""
    if isinstance(value, datetime):
        return f"{key}: {value.isoformat()}"
    if flow and isinstance(value, list):
        return f"{key}: {_yaml(value, flow=True)}"
    return _yaml({key: value}, flow=False)


def _yaml(value: Any, flow: bool) -> str:
    return yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     width=1_000_000, default_flow_style=flow).rstrip("\n")


# sitegen init ---------------------------------------------------------------------------------

def init_site(target: Path) -> None:
    """Write a site that `sitegen build` builds at once into a new or empty folder.

    A folder holding only `.git` counts as empty, so `git init` may come first; anything else in
    it, or a file at the path, is refused before anything is written."""
    _check_init_target(target)
    bundled = discover.bundled_dir()
    theme, locales = bundled / "themes" / "default", bundled / "locales"
    catalogs = ("messages.pot", "es/LC_MESSAGES/messages.po")
    missing = [str(p) for p in (theme, *(locales / c for c in catalogs)) if not p.exists()]
    if missing:  # pragma: no cover - a broken installation
        raise BuildFailed([error(m, None, "missing from the sitegen installation") for m in missing])
    target.mkdir(parents=True, exist_ok=True)
    for rel, text in _SKELETON.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as file:
            file.write(text)
    shutil.copytree(theme, target / "themes" / "default",
                    ignore=lambda _folder, names: [n for n in names if discover.ignored(n)])
    for catalog in catalogs:
        (target / "locales" / catalog).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(locales / catalog, target / "locales" / catalog)


def _check_init_target(target: Path) -> None:
    """A new path, or an empty folder; never a file, never a folder with something in it."""
    problems: list[Diagnostic] = []
    if target.is_dir():
        inside = sorted(p.name for p in target.iterdir() if p.name != _GIT)
        if inside:
            shown = ", ".join(inside[:3]) + (", …" if len(inside) > 3 else "")
            problems.append(error(str(target), None, f"is not empty ({shown}): sitegen init "
                                                     "writes only into a new or empty folder"))
    elif target.exists() or target.is_symlink():
        problems.append(error(str(target), None, "is a file: sitegen init needs a new or empty "
                                                 "folder"))
    else:
        above = next((p for p in target.absolute().parents if p.exists()), None)
        if above is not None and not above.is_dir():
            problems.append(error(str(above), None, "is a file, so no folder can be made in it"))
    if problems:
        raise BuildFailed(problems)


_CONFIG = """\
# The site's configuration; the sitegen README describes every key.
[site]
base_url = "https://example.org/"     # the address the site is published at: change it
default_language = "en"
languages = ["en", "es"]
timezone = "America/Havana"           # dates without an offset are in this zone, and shown in it
theme = "default"                     # themes/default/ is this site's own copy: change it freely
per_page = 10

[languages.en]
title = "The Newsroom"
description = "News in English and Spanish."
sections = { news = "News" }

[languages.es]
title = "La Redacción"
description = "Noticias en español e inglés."
sections = { news = "Noticias" }
"""

_WELCOME_EN = """\
---
title: Welcome to your new bilingual site
date: 2024-06-03T09:00:00
authors: [Newsroom staff]
tags: [sitegen]
summary: Your first story, in English and in Spanish, ready to be replaced by your own.
sources:
  - Newsroom staff
  - name: Example News Agency
    url: https://example.com/
---
This is the English version of your first story. Its Spanish version, `welcome.es.md` in the same
folder, is paired with it by name, so each page links to the other.

## Your next story

Start an article with `sitegen new "Your headline"`, and its translation with
`sitegen new "Su titular" --translation-of content/news/your-headline.en.md`. Each starts as a
draft: remove its `draft: true` line when it is ready. Preview the site with
`sitegen serve --drafts` and open the address it prints; `sitegen build` writes it into
`public/`, ready to publish.

Every story ends with its sources, listed in its front matter. Delete this one when you publish
your own.
"""

_WELCOME_ES = """\
---
title: Bienvenido a su nuevo sitio bilingüe
date: 2024-06-03T09:00:00
authors: [Redacción]
tags: [sitegen]
summary: Su primera noticia, en español y en inglés, lista para dar paso a las suyas.
sources:
  - Redacción
  - name: Agencia de Noticias de Ejemplo
    url: https://example.com/
---
Esta es la versión en español de su primera noticia. Su versión en inglés, `welcome.en.md` en la
misma carpeta, está emparejada con ella por el nombre, así que cada página enlaza con la otra.

## Su próxima noticia

Empiece un artículo con `sitegen new "Su titular" --lang es`, y su traducción con
`sitegen new "Your headline" --translation-of content/news/su-titular.es.md`. Cada una empieza
como borrador: quite su línea `draft: true` cuando esté lista. Vea el sitio con
`sitegen serve --drafts` y abra la dirección que indica; `sitegen build` lo escribe en
`public/`, listo para publicar.

Cada noticia termina con sus fuentes, indicadas en sus metadatos. Borre esta cuando publique las
suyas.
"""

_README = """\
# The Newsroom

A bilingual news site made with sitegen.

```
sitegen build                     # writes the site into public/
sitegen serve                     # live preview, rebuilt on every save
sitegen new "Headline"            # a new draft in content/news/: remove `draft: true` to publish
sitegen new "Titular" --translation-of content/news/headline.en.md
```

Set `base_url` in `sitegen.toml` to the site's public address before publishing. The theme is in
`themes/default/` and the Spanish interface strings in `locales/es/LC_MESSAGES/messages.po`.
"""

_SKELETON = {
    "sitegen.toml": _CONFIG,
    "content/news/welcome.en.md": _WELCOME_EN,
    "content/news/welcome.es.md": _WELCOME_ES,
    ".gitignore": "public/\n.sitegen-cache/\n",
    "README.md": _README,
}
