"""Contexts to bytes: one Jinja2 environment per language, autoescaped, with its gettext catalog.

Rendered Markdown is marked safe here and nowhere else; everything from front matter is escaped.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2
from babel.lists import format_list
from markupsafe import Markup, escape

from . import discover, l10n, urls
from .code import code_digest
from .content import Article
from .errors import BuildFailed, error
from .kept import keep, read_kept
from .theme import Theme

EMBEDDED = Path(__file__).parent / "templates"  # the machine formats' templates

# How templates are written: shared with `sitegen i18n`, so an extracted msgid is the one a page
# looks up.
SYNTAX: dict[str, Any] = {"trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}


class Renderer:
    """Renders templates for one language."""

    def __init__(self, theme: Theme, locale: str, translations: gettext.NullTranslations,
                 base_url: str, site_dir: Path, compiled_dir: Path | None = None) -> None:
        self.theme, self.site_dir = theme, site_dir
        # The theme's templates, then sitegen's own for the machine formats (Atom, sitemaps,
        # robots.txt), which a theme overrides by having a template of the same name.
        self.folders = (*theme.template_dirs, EMBEDDED)
        self.linker = urls.Linker(base_url)
        self.format = l10n.Formatter(locale)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.folders]),
            # Compiled templates are kept by the hash of their source, so editing one recompiles it.
            bytecode_cache=_CompiledTemplates.at(compiled_dir),
            # HTML is escaped as it is written; feeds, sitemaps and robots.txt escape with the
            # `xml` and `xmlattr` filters, as XML wants.
            autoescape=jinja2.select_autoescape(("html", "htm"), default_for_string=True,
                                                default=False),
            auto_reload=False,
            extensions=["jinja2.ext.i18n"],
            undefined=jinja2.StrictUndefined,
            **SYNTAX,
        )
        self.env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        gettext = _remembered(self.env.globals["gettext"])  # type: ignore[arg-type]
        self.env.globals.update(_=gettext, gettext=gettext)
        self._names: dict[tuple[object, ...], Markup] = {}
        self.env.filters.update(date=functools.lru_cache(maxsize=4096)(self.format.date),
                                iso=l10n.iso,
                                number=functools.lru_cache(maxsize=1024)(self.format.number),
                                join_names=self.join_names, media=self.media,
                                xml=xml_text, xmlattr=xml_attribute)
        self.env.globals.update(asset=self.asset)
        self._chosen: dict[tuple[str, ...], jinja2.Template] = {}  # the theme does not change

    def compile_all(self) -> None:
        """Compile the theme's templates now, before workers fork, so that they inherit them
        instead of each compiling its own. One that does not compile is left for the page that
        uses it to report."""
        for name in self.env.list_templates(extensions=("html", "xml", "txt")):
            with contextlib.suppress(jinja2.TemplateError, OSError):
                self.env.get_template(name)

    def asset(self, name: str) -> str:
        try:
            return self.linker.href(self.theme.assets[name][0])
        except KeyError:
            raise jinja2.TemplateRuntimeError(f"theme has no static file {name!r}") from None

    def media(self, reference: str) -> str:
        """A site-root image path (`/images/x.jpg`) follows the base URL's sub-path."""
        return self.linker.href(reference[1:]) if reference.startswith("/") else reference

    def join_names(self, names: list[Any]) -> Markup:
        """`A, B and C` as the language says it; `{name, href}` items become links."""
        key = tuple((n["name"], n["href"]) if isinstance(n, dict) else n for n in names)
        found = self._names.get(key)
        if found is None:  # a site has few bylines, written on many pages
            parts = [str(Markup('<a href="{}" rel="author">{}</a>').format(n["href"], n["name"])
                         if isinstance(n, dict) else escape(n)) for n in names]
            found = self._names[key] = Markup(format_list(parts, locale=self.format.locale)
                                              ) if parts else Markup("")
        return found

    def render(self, template: str | Sequence[str], context: dict[str, Any]) -> bytes:
        """A page's bytes, from `template` or from the first of a list of templates the theme
        has (the most specific first, see `outputs.Output.templates`); whatever goes wrong in a
        template is an error naming the template file and its line."""
        context = dict(context)
        # The one place rendered Markdown is trusted: an article's or a page's body.
        shown = next((context[name] for name in ("article", "page")
                      if isinstance(context.get(name), Article)), None)
        if shown is not None:
            context["body"] = Markup(context.pop("body_html", shown.body_html))
        names = (template,) if isinstance(template, str) else tuple(template)
        try:
            return self._template(names).render(context).encode("utf-8")
        except jinja2.TemplateSyntaxError as exc:
            raise BuildFailed([error(self._relative(exc.filename), exc.lineno,
                                     exc.message or "template syntax error")]) from None
        except Exception as exc:  # noqa: BLE001 - a template's mistake, never a traceback
            filename, line = self._where(exc)
            shown = self._relative(filename) if filename else self._relative(
                self._file_of(names))
            raise BuildFailed([error(shown, line, _message(exc))]) from None

    def _template(self, names: tuple[str, ...]) -> jinja2.Template:
        """The first of `names` the theme has, looked for once: a page kind's own template is
        usually missing, and looking again for every page would ask the disk each time."""
        found = self._chosen.get(names)
        if found is None:
            found = self._chosen[names] = self.env.select_template(names)
        return found

    def _where(self, exc: BaseException) -> tuple[str | None, int | None]:
        """The innermost template file and line the error went through: Jinja gives its
        templates' frames their file names and line numbers."""
        found: tuple[str | None, int | None] = (None, None)
        folders = tuple(str(d) + "/" for d in self.folders)
        trace = exc.__traceback__
        while trace is not None:
            filename = trace.tb_frame.f_code.co_filename
            if filename.startswith(folders):
                found = (filename, trace.tb_lineno)
            trace = trace.tb_next
        return found

    def _file_of(self, names: tuple[str, ...]) -> str:
        """The first of the page's templates the theme has; when it has none, where the most
        general one would be."""
        for template in names:
            for folder in self.folders:
                if (folder / template).is_file():
                    return str(folder / template)
        return str(self.theme.template_dirs[0] / names[-1]) if names else "template"

    def _relative(self, filename: str | None) -> str:
        if not filename:
            return "template"
        path = Path(filename)
        if path.is_relative_to(self.site_dir):
            return path.relative_to(self.site_dir).as_posix()
        if path.is_relative_to(EMBEDDED.parent):
            return "sitegen/" + path.relative_to(EMBEDDED.parent).as_posix()
        bundled = discover.bundled_dir()
        if path.is_relative_to(bundled):
            return "sitegen/_bundled/" + path.relative_to(bundled).as_posix()
        return filename


def _remembered(gettext: Callable[..., Any]) -> Callable[..., Any]:
    """Jinja's gettext for templates (`_()`), each text looked up once per language and
    values of its variables: a page asks for the same labels as every other ("Share on
    %(network)s" for the same networks), and each lookup costs three of Jinja's calls and
    three Markup objects."""
    known: dict[tuple[object, ...], Any] = {}

    @jinja2.pass_context
    def lookup(context: jinja2.runtime.Context, string: str, **variables: Any) -> Any:
        # A value's type is part of the key: Markup("&") equals "&" but is not escaped.
        key = (string, context.eval_ctx.autoescape,
               *((name, type(value), value) for name, value in variables.items()))
        try:
            return known[key]
        except KeyError:
            found = known[key] = context.call(gettext, string, **variables)
        except TypeError:  # a value that cannot be a key (a list): asked each time
            return context.call(gettext, string, **variables)
        return found

    return lookup


def xml_text(value: object) -> str:
    """Text as XML character data: `&`, `<` and `>` escaped."""
    return str(value).replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def xml_attribute(value: object) -> str:
    """A quoted XML attribute value, quoted as `xml.sax.saxutils.quoteattr` does (whose
    module costs an import of the HTTP client)."""
    data = xml_text(value).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in data:
        return f'"{data}"'
    if "'" not in data:
        return f"'{data}'"
    return '"{}"'.format(data.replace('"', "&quot;"))


def _message(exc: BaseException) -> str:
    """What went wrong, in the template writer's words."""
    if isinstance(exc, RecursionError):
        return "a macro or include calls itself without end"
    if isinstance(exc, jinja2.TemplatesNotFound) and len(exc.templates) > 1:
        return ("none of the templates " + ", ".join(repr(str(name)) for name in exc.templates)
                + " found")
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"template {exc.name!r} not found"
    if isinstance(exc, jinja2.TemplateError):
        return str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class _CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's compiled templates, kept in the build cache's folder behind a checksum of their
    bytes: unmarshalling damaged code can crash the interpreter, so a file whose checksum
    does not match is a miss, and so is one that cannot be read. One that cannot be written is
    simply not kept. The key includes sitegen's code, which decides how templates compile."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @classmethod
    def at(cls, directory: Path | None) -> _CompiledTemplates | None:
        if directory is None:
            return None
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError:  # a damaged cache folder: templates are compiled every time
            return None
        return cls(directory)

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        key = f"{code_digest()}\0{name}\0{filename or ''}"
        return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = read_kept(self.directory / f"{bucket.key}.cache")
        if code is None:
            return
        try:
            bucket.bytecode_from_string(code)
        except Exception:  # noqa: BLE001 - whatever is wrong with it, compile afresh
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        keep(self.directory / f"{bucket.key}.cache", bucket.bytecode_to_string())
