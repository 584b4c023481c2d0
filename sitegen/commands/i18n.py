"""`sitegen i18n`: the gettext workflow for the theme's UI strings, on Babel's own message tools.

The strings come from the templates the site renders with (its own theme files first, then the
bundled ones) and from sitegen's Python sources, which add a few strings to pages themselves.
Every command reads all it needs before it writes anything, so an error leaves every file as it
was; and a file is rewritten only when its bytes change.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__, discover, l10n
from .. import config as site_config
from ..assemble import build_clock, source_date_epoch
from ..errors import BuildFailed, Diagnostic, error, warning

if TYPE_CHECKING:  # Babel's message tools are imported only by the functions that use them
    from babel.messages.catalog import Catalog, Message

ACTIONS = ("extract", "update", "compile", "init")
TEMPLATE = "locales/messages.pot"
PROJECT = "sitegen site"
# Babel makes "Translations template" "Spanish translations" in a language's catalog.
HEADER_COMMENT = ("# Translations template for the interface of a sitegen site.\n"
                  "# Kept up to date with `sitegen i18n extract` and `sitegen i18n update`.\n#")
COMMENT_TAGS = ("Translators:",)  # `{# Translators: … #}` above a string reaches the translator

Announce = Callable[[str], None]


def run(site: Path, action: str, lang: str | None, announce: Announce) -> int:
    """Run one `sitegen i18n` action on the site; user errors raise BuildFailed."""
    if action not in ACTIONS:
        raise BuildFailed([error("sitegen i18n", None,
                                 f"unknown action {action!r}: use one of {', '.join(ACTIONS)}")])
    if action == "init" and not lang:
        raise BuildFailed([error("sitegen i18n init", None,
                                 "which language? name it, e.g. `sitegen i18n init fr`")])
    if action != "init" and lang:
        raise BuildFailed([error(f"sitegen i18n {action}", None,
                                 f"LANG ({lang!r}) is only for init: {action} works on every "
                                 "catalog of the site")])
    config = site_config.load(site)
    if action == "extract":
        extract(config, announce)
    elif action == "update":
        update(config, announce)
    elif action == "compile":
        compile_catalogs(config, announce)
    else:
        init(config, str(lang), announce)
    return 0


# --- what the site's pages say -----------------------------------------------------------------


def template(config: site_config.SiteConfig) -> Catalog:
    """Every UI string the site's pages can show, extracted now (never from a stale .pot)."""
    from babel.messages.catalog import Catalog
    from jinja2 import TemplateSyntaxError

    catalog = Catalog(project=PROJECT, version=__version__, header_comment=HEADER_COMMENT,
                      charset="utf-8", creation_date=build_clock(), fuzzy=True)
    problems: list[Diagnostic] = []
    for path in (*_template_files(config), *_python_files()):
        shown = _shown(path, config.site_dir)
        try:
            for line, message, comments, context in _extract(path):
                catalog.add(message, None, [(shown, line)], auto_comments=comments,
                            context=context)
        except UnicodeDecodeError as exc:
            problems.append(error(shown, None, f"not UTF-8 text: {exc.reason}"))
        except TemplateSyntaxError as exc:
            problems.append(error(shown, exc.lineno, f"template syntax error: {exc.message}"))
    if problems:
        raise BuildFailed(problems)
    return catalog


def _template_files(config: site_config.SiteConfig) -> list[Path]:
    """The templates the site renders with: a site's own file hides the bundled one of its name."""
    chosen: dict[str, Path] = {}
    for theme in discover.theme_dirs(config):
        for name, path in discover.readable(discover.static_files(theme / "templates",
                                                                  theme.parent.parent)):
            chosen.setdefault(name, Path(path))
    return [chosen[name] for name in sorted(chosen)]


def _python_files() -> list[Path]:
    """sitegen's own sources that call a gettext function, wherever sitegen is installed."""
    from babel.messages.extract import DEFAULT_KEYWORDS

    names = "|".join(map(re.escape, DEFAULT_KEYWORDS))
    calls = re.compile(rf"\b(?:{names})\s*\(")
    package = _package_dir()
    # Reading a file is far cheaper than tokenizing it: only the few that call gettext are.
    return [path for path in sorted(package.rglob("*.py"))
            if "_bundled" not in path.relative_to(package).parts
            and calls.search(path.read_text("utf-8", errors="replace"))]


def _extract(path: Path) -> Iterator[tuple[int, Any, list[str], str | None]]:
    # The extractors are passed as functions: looking "python" up among entry points is slow.
    from babel.messages.extract import DEFAULT_KEYWORDS, extract, extract_python

    method: Any = extract_python
    options: dict[str, str] = {}
    if path.suffix != ".py":
        from jinja2.ext import babel_extract

        from ..render import SYNTAX

        method = babel_extract  # Jinja set up as sitegen.render sets it up
        options = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true", "silent": "false",
                   **{name: str(value).lower() for name, value in SYNTAX.items()}}
    with path.open("rb") as fp:
        yield from extract(method, fp, DEFAULT_KEYWORDS, COMMENT_TAGS, options)


def _package_dir() -> Path:
    return Path(__file__).parent.parent


def _shown(path: Path, site_dir: Path) -> str:
    """A file as references and diagnostics name it: relative to the site, or inside sitegen
    (the same in a wheel and in a checkout, and never a path of this machine)."""
    # The package first: a site folder may hold a virtualenv with sitegen installed in it.
    for base, prefix in ((_package_dir(), "sitegen/"), (site_dir, ""),
                         (discover.bundled_dir(), "sitegen/_bundled/")):
        if path.is_relative_to(base):
            return prefix + path.relative_to(base).as_posix()
    return path.as_posix()


# --- the actions ---------------------------------------------------------------------------------


def extract(config: site_config.SiteConfig, announce: Announce) -> Path:
    """Write `locales/messages.pot`; its date changes only when its strings do."""
    pot = config.site_dir / TEMPLATE
    catalog = template(config)
    old = pot.read_bytes() if pot.is_file() else None
    data = _po_bytes(catalog, sort=True)
    if source_date_epoch() is None and old is not None and old != data:
        kept = _creation_date(old)
        if kept is not None:
            catalog.creation_date = kept
            same = _po_bytes(catalog, sort=True)
            data = same if same == old else data
    changed = _write(pot, data)
    count = sum(1 for message in catalog if message.id)
    announce(f"{'wrote' if changed else 'unchanged:'} {TEMPLATE} ({count} UI strings)")
    return pot


def update(config: site_config.SiteConfig, announce: Announce) -> list[Path]:
    """Merge the template into every catalog of the site, keeping translations (Babel marks a
    changed string fuzzy); creates no catalog."""
    paths = _site_catalogs(config)
    if not paths:
        announce("no catalogs in locales/: start one with `sitegen i18n init LANG`")
        return []
    template_catalog = _template_from_disk(config, announce)
    catalogs = _read_all(paths, config.site_dir)
    written = []
    for path, catalog in zip(paths, catalogs):
        catalog.update(template_catalog, update_header_comment=False)
        changed = _write(path, _po_bytes(catalog, sort=False))
        todo = sum(1 for message in catalog if message.id and not _translated(message))
        announce(f"{'updated' if changed else 'unchanged:'} {_shown(path, config.site_dir)} "
                 f"({todo} of {sum(1 for m in catalog if m.id)} strings to translate)")
        written.append(path)
    return written


def compile_catalogs(config: site_config.SiteConfig, announce: Announce) -> list[Path]:
    """Write `messages.mo` beside every catalog of the site, for other gettext tools (a build
    compiles the `.po` files itself); fuzzy entries are left out, as gettext does."""
    from babel.messages.mofile import write_mo

    paths = _site_catalogs(config)
    if not paths:
        announce("no catalogs in locales/: start one with `sitegen i18n init LANG`")
        return []
    catalogs = _read_all(paths, config.site_dir)
    problems = [error(_shown(path, config.site_dir), message.lineno, str(problem))
                for path, catalog in zip(paths, catalogs)
                for message, errors in catalog.check() for problem in errors]
    if problems:
        raise BuildFailed(problems)
    written = []
    for path, catalog in zip(paths, catalogs):
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        mo = path.with_suffix(".mo")
        changed = _write(mo, buffer.getvalue())
        announce(f"{'compiled' if changed else 'unchanged:'} {_shown(mo, config.site_dir)}")
        written.append(mo)
    return written


def init(config: site_config.SiteConfig, lang: str, announce: Announce) -> Path:
    """Start the catalog of a configured language, with its plural forms from Babel's data;
    never overwrites one."""
    if lang not in config.codes:
        raise BuildFailed([error(config.config_file, None,
                                 f"language {lang!r} is not one of the configured languages "
                                 f"{list(config.codes)}: add it to site.languages first")])
    po = config.site_dir / "locales" / lang / "LC_MESSAGES" / f"{l10n.DOMAIN}.po"
    if po.exists():
        raise BuildFailed([error(_shown(po, config.site_dir), None,
                                 "already exists: `sitegen i18n update` brings it up to date")])
    catalog = _template_from_disk(config, announce)
    catalog.locale = site_config.babel_locale(config.language(lang).locale)
    catalog.revision_date = build_clock()
    catalog.fuzzy = False
    _write(po, _po_bytes(catalog, sort=False))
    announce(f"wrote {_shown(po, config.site_dir)} ({catalog.num_plurals} plural forms): "
             "translate its msgstr lines")
    return po


# --- for `sitegen check` -------------------------------------------------------------------------


def untranslated(config: site_config.SiteConfig) -> list[Diagnostic]:
    """A warning for every UI string the pages can show that a language's catalogs leave
    untranslated (missing, empty or fuzzy), since its readers would see it in English.

    English editions need no catalog: the msgids are English. A template or catalog that
    cannot be read is an error here rather than an exception."""
    try:
        strings = [message for message in template(config) if message.id]
    except BuildFailed as failed:
        return list(failed.diagnostics)
    folders = discover.locale_dirs(config)
    found: list[Diagnostic] = []
    for language in config.languages:
        if not _is_english(language):
            found += _missing(config, language.code,
                              l10n.catalog_paths(folders, language.code), strings)
    return found


def _missing(config: site_config.SiteConfig, lang: str, paths: tuple[Path, ...],
             strings: list[Message]) -> list[Diagnostic]:
    if not paths:
        return [warning(f"locales/{lang}/LC_MESSAGES/{l10n.DOMAIN}.po", None,
                        f"no {lang!r} catalog: the {lang!r} pages show every UI string in "
                        f"English; start one with `sitegen i18n init {lang}`")]
    try:
        catalogs = _read_all(paths, config.site_dir)
    except BuildFailed as failed:
        return list(failed.diagnostics)
    shown = _shown(paths[0], config.site_dir)  # the site's own catalog, where a fix belongs
    found = []
    for message in strings:
        entries = [catalog.get(message.id, message.context) for catalog in catalogs]
        if not any(entry is not None and _translated(entry) for entry in entries):
            text = message.id[0] if isinstance(message.id, tuple) else message.id
            line = entries[0].lineno if entries[0] is not None else None
            found.append(warning(shown, line, f'no {lang!r} translation for UI string "{text}"'))
    return found


def _is_english(language: site_config.LanguageConfig) -> bool:
    code = re.split(r"[-_]", language.code)[0].lower()
    return code == "en" or site_config.babel_locale(language.locale).language == "en"


def _translated(message: Message) -> bool:
    """Compiled and complete: a plural with one empty form would show nothing for some counts."""
    strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
    return not message.fuzzy and all(strings)


# --- reading and writing catalogs ----------------------------------------------------------------


def _site_catalogs(config: site_config.SiteConfig) -> list[Path]:
    """The site's own catalogs, one per language folder (the bundled ones are not the site's)."""
    return sorted(path for path in (config.site_dir / "locales").glob(
        f"*/LC_MESSAGES/{l10n.DOMAIN}.po") if not discover.ignored(path.parts[-3]))


def _template_from_disk(config: site_config.SiteConfig, announce: Announce) -> Catalog:
    """`messages.pot` as it is, extracted first if there is none yet."""
    pot = config.site_dir / TEMPLATE
    if not pot.is_file():
        extract(config, announce)
    return _read_all([pot], config.site_dir)[0]


def _read_all(paths: Iterable[Path], site_dir: Path) -> list[Catalog]:
    """Every catalog, or BuildFailed with the errors of all the broken ones at once."""
    catalogs: list[Catalog] = []
    problems: list[Diagnostic] = []
    for path in paths:
        try:
            catalogs.append(l10n.read_catalog(path, _shown(path, site_dir)))
        except BuildFailed as failed:
            problems += failed.diagnostics
    if problems:
        raise BuildFailed(problems)
    return catalogs


def _po_bytes(catalog: Catalog, sort: bool) -> bytes:
    from babel.messages.pofile import write_po

    buffer = io.BytesIO()
    write_po(buffer, catalog, sort_output=sort)
    return buffer.getvalue()


def _creation_date(pot: bytes) -> datetime | None:
    """The date an existing template says, kept while its strings stay the same."""
    from babel.messages.pofile import read_po

    try:
        found = read_po(io.BytesIO(pot)).creation_date
    except (ValueError, LookupError):  # an unreadable old template is simply replaced
        return None
    return found if isinstance(found, datetime) else None


def _write(path: Path, data: bytes) -> bool:
    """Replace the file whole, and only when its bytes change; True when it did."""
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.tmp")
    partial.write_bytes(data)
    os.replace(partial, path)
    return True
