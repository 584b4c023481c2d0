"""Contexts to bytes: one Jinja2 environment per language, autoescaped, with its gettext catalog.

Rendered Markdown is marked safe here and nowhere else; everything from front matter is escaped.
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path
from typing import Any

import jinja2
from babel.lists import format_list
from markupsafe import Markup, escape

from . import l10n, urls
from .errors import BuildFailed, error
from .theme import Theme

# How templates are written: shared with `sitegen i18n`, so an extracted msgid is the one a page
# looks up.
SYNTAX = {"trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}


class Renderer:
    """Renders templates for one language."""

    def __init__(self, theme: Theme, locale: str, translations: gettext.NullTranslations,
                 base_url: str, site_dir: Path, compiled_dir: Path | None = None) -> None:
        self.theme, self.site_dir = theme, site_dir
        self.linker = urls.Linker(base_url)
        self.format = l10n.Formatter(locale)
        if compiled_dir is not None:
            compiled_dir.mkdir(parents=True, exist_ok=True)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in theme.template_dirs]),
            # Compiled templates are kept by the hash of their source, so editing one recompiles it.
            bytecode_cache=_CompiledTemplates(str(compiled_dir))
            if compiled_dir is not None else None,
            autoescape=True,
            auto_reload=False,
            extensions=["jinja2.ext.i18n"],
            undefined=jinja2.StrictUndefined,
            **SYNTAX,
        )
        self.env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        self.env.filters.update(date=functools.lru_cache(maxsize=4096)(self.format.date),
                                iso=l10n.iso, number=self.format.number,
                                join_names=self.join_names, media=self.media)
        self.env.globals.update(asset=self.asset)

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
        parts = [str(Markup('<a href="{}" rel="author">{}</a>').format(n["href"], n["name"])
                     if isinstance(n, dict) else escape(n)) for n in names]
        return Markup(format_list(parts, locale=self.format.locale)) if parts else Markup("")

    def render(self, template: str, context: dict[str, Any]) -> bytes:
        context = dict(context)
        if "article" in context:  # the one place rendered Markdown is trusted
            context["body"] = Markup(context["article"].body_html)
        try:
            return self.env.get_template(template).render(context).encode("utf-8")
        except jinja2.TemplateSyntaxError as exc:
            raise BuildFailed([error(self._relative(exc.filename), exc.lineno,
                                     exc.message or "template syntax error")]) from None
        except jinja2.TemplateError as exc:
            raise BuildFailed([error(f"template {template}", None, str(exc))]) from None

    def _relative(self, filename: str | None) -> str:
        if not filename:
            return "template"
        path = Path(filename)
        return path.relative_to(self.site_dir).as_posix() if path.is_relative_to(self.site_dir) \
            else filename


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's compiled-template cache, where a damaged file is a miss rather than a crash."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - whatever is wrong with the file, compile afresh
            bucket.reset()
