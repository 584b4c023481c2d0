"""Pages to bytes: one Jinja2 environment per language, autoescaped, with its gettext catalog.

Rendered Markdown is marked safe here and nowhere else; everything from front matter is escaped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from babel.lists import format_list
from markupsafe import Markup

from . import feeds, l10n, seo, sitemaps, urls
from .assemble import Listing, Site, term_slug
from .content import Article
from .discover import static_files
from .errors import BuildFailed, error
from .pages import Page, site_pages


@dataclass(frozen=True, slots=True)
class Theme:
    """A theme's templates (site copy first) and its static files, fingerprinted for caching."""

    template_dirs: tuple[Path, ...]
    assets: dict[str, tuple[str, Path]]  # logical name -> (output path, file)

    @classmethod
    def load(cls, theme_dirs: tuple[Path, ...]) -> Theme:
        assets: dict[str, tuple[str, Path]] = {}
        for folder in reversed(theme_dirs):  # later (the site's own) files win
            for name, path in static_files(folder / "static"):
                assets[name] = (urls.ASSETS + _fingerprint(name, path.read_bytes()), path)
        return cls(tuple(d / "templates" for d in theme_dirs), dict(sorted(assets.items())))


def _fingerprint(name: str, data: bytes) -> str:
    """`css/site.css` -> `css/site.1a2b3c4d5e.css`: a new name whenever the bytes change."""
    digest = hashlib.sha256(data).hexdigest()[:10]
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot and "/" not in suffix else f"{name}.{digest}"


class Renderer:
    """Renders the pages of one language edition."""

    def __init__(self, site: Site, theme: Theme, lang: str, translations: Any,
                 linker: urls.Linker) -> None:
        self.site, self.theme, self.lang, self.linker = site, theme, lang, linker
        self.language = site.config.language(lang)
        self.format = l10n.Formatter(self.language.locale)
        self.gettext = translations.gettext
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in theme.template_dirs]),
            autoescape=True,
            extensions=["jinja2.ext.i18n"],
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        self.env.filters.update(date=self.format.date, iso=l10n.iso, number=self.format.number,
                                join_names=self.join_names)
        self.env.globals.update(asset=self.asset)
        self.env.filters.update(media=self.media)

    def media(self, reference: str) -> str:
        """A site-root image path (`/images/x.jpg`) follows the base URL's sub-path."""
        return self.linker.href(reference[1:]) if reference.startswith("/") else reference

    def asset(self, name: str) -> str:
        try:
            return self.linker.href(self.theme.assets[name][0])
        except KeyError:
            raise jinja2.TemplateRuntimeError(f"theme has no static file {name!r}") from None

    def join_names(self, names: list[Any]) -> Markup:
        """`A, B and C` as the language says it; the items may be links already."""
        escaped = [str(jinja2.utils.markupsafe.escape(n)) for n in names]
        return Markup(format_list(escaped, locale=self.format.locale)) if escaped else Markup("")

    def render(self, page: Page) -> bytes:
        context = self.common(page)
        context.update(self.specific(page))
        try:
            return self.env.get_template(page.template).render(context).encode("utf-8")
        except jinja2.TemplateSyntaxError as exc:
            shown = _relative(exc.filename, self.site.config.site_dir)
            raise BuildFailed([error(shown, exc.lineno, exc.message or "")]) from None
        except jinja2.TemplateError as exc:
            raise BuildFailed([error(f"template {page.template}", None,
                                     f"{exc} (while rendering /{page.path})")]) from None

    def common(self, page: Page) -> dict[str, Any]:
        config, href = self.site.config, self.linker.href
        alternates = page.alternates
        x_default = page.x_default(config.default_language)
        edition = next(e for e in self.site.editions if e.lang == self.lang)
        current = page.data.get("listing")
        return {
            "page": page,
            "lang": self.lang,
            "site_title": self.language.title,
            "site_description": self.language.description,
            "description": self.language.description,
            "canonical": self.linker.absolute(page.path),
            "alternates": [{"lang": lang, "url": self.linker.absolute(path)}
                           for lang, path in alternates],
            "x_default": self.linker.absolute(x_default) if x_default is not None else None,
            "switch": [{"lang": lang, "name": config.language(lang).name, "href": href(path)}
                       for lang, path in alternates if lang != page.lang],
            "home_href": href(urls.front(self.lang)),
            "feed_href": href(urls.feed(self.lang)),
            "tags_href": href(urls.tag_index(self.lang)),
            "authors_href": href(urls.author_index(self.lang)),
            "nav": [{"title": s.title, "href": href(s.path()),
                     "current": current is not None and current.kind == "section"
                     and current.name == s.name} for s in edition.sections],
            "editions": [{"lang": e.lang, "title": e.language.title, "name": e.language.name,
                          "href": href(urls.front(e.lang))} for e in self.site.editions],
        }

    def specific(self, page: Page) -> dict[str, Any]:
        if page.template == "article.html":
            return self.article_context(page, page.data["article"])
        if page.template == "list.html":
            return self.listing_context(page.data["listing"], page.data["number"],
                                        page.data["articles"])
        if page.template == "terms.html":
            return self.terms_context(page.data["kind"], page.data["listings"])
        return {}

    def article_context(self, page: Page, article: Article) -> dict[str, Any]:
        href, config = self.linker.href, self.site.config
        versions = [v for v in self.site.versions(article) if v.lang != article.lang]
        return {
            "article": article,
            "body": Markup(article.body_html),  # the one place rendered Markdown is trusted
            "description": article.summary,
            "section": {"title": config.section_title(self.lang, article.section),
                        "href": href(urls.section(self.lang, article.section))}
                       if article.section else None,
            "authors": [Markup('<a href="{}" rel="author">{}</a>').format(
                href(urls.author(self.lang, term_slug(name))), name) for name in article.authors],
            "tags": [{"title": tag, "href": href(urls.tag(self.lang, term_slug(tag)))}
                     for tag in article.tags],
            "meta_tags": seo.meta_tags(self.site, article, versions, self.linker, self.language),
            "jsonld": seo.news_article(self.site, article, self.linker, self.language),
        }

    def listing_context(self, listing: Listing, number: int,
                        articles: tuple[Article, ...]) -> dict[str, Any]:
        href, config = self.linker.href, self.site.config
        count = len(listing.pages)
        kinds = {"section": self.gettext("Section"), "tag": self.gettext("Topic"),
                 "author": self.gettext("Author"), "front": ""}
        return {
            "listing": listing,
            "heading": listing.title,
            "kind_label": kinds[listing.kind],
            "number": number,
            "page_count": count,
            "newer_href": href(listing.path(number - 1)) if number > 1 else None,
            "older_href": href(listing.path(number + 1)) if number < count else None,
            "items": [{
                "title": a.title, "href": href(a.path), "summary": a.summary, "date": a.date,
                "authors": a.authors, "image": a.image,
                "section": config.section_title(self.lang, a.section)
                           if a.section and listing.kind != "section" else "",
            } for a in articles],
        }

    def terms_context(self, kind: str, listings: tuple[Listing, ...]) -> dict[str, Any]:
        return {
            "heading": self.gettext("Topics") if kind == "tag" else self.gettext("Authors"),
            "terms": [{"title": t.title, "href": self.linker.href(t.path()), "count": t.count}
                      for t in listings],
        }


def _relative(filename: str | None, site_dir: Path) -> str:
    if not filename:
        return "template"
    path = Path(filename)
    return path.relative_to(site_dir).as_posix() if path.is_relative_to(site_dir) else filename


def render_site(site: Site, theme: Theme, translations: dict[str, Any],
                static_dir: Path) -> dict[str, bytes]:
    """Every file of the site, path -> bytes; two things claiming one path are an error."""
    linker = urls.Linker(site.config.base_url)
    renderers = {lang: Renderer(site, theme, lang, translations[lang], linker)
                 for lang in site.config.codes}
    pages = site_pages(site)
    outputs = _Outputs()
    for page in pages:
        owner = page.data["article"].source if "article" in page.data else f"the {page.template} page"
        outputs.add(urls.output_file(page.path), renderers[page.lang].render(page), owner)
    for edition in site.editions:
        outputs.add(urls.feed(edition.lang), feeds.atom(site, edition, linker), "the feed")
    outputs.add(urls.SITEMAP, sitemaps.sitemap(site, pages, linker), "the sitemap")
    outputs.add(urls.NEWS_SITEMAP, sitemaps.news_sitemap(site, linker), "the news sitemap")
    outputs.add(urls.ROBOTS, sitemaps.robots(linker), "robots.txt")
    outputs.add("404.html", outputs.files[urls.not_found(site.config.default_language)], "404")
    for output, path in theme.assets.values():
        outputs.add(output, path.read_bytes(), f"theme file {path.name}")
    for name, path in static_files(static_dir):
        outputs.add(name, path.read_bytes(), f"static/{name}")
    outputs.raise_collisions()
    return outputs.files


class _Outputs:
    """The files of a build, remembering who wrote each so that clashes can name both."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.owners: dict[str, str] = {}
        self.clashes: list[tuple[str, str, str]] = []

    def add(self, path: str, data: bytes, owner: str) -> None:
        if path in self.files:
            self.clashes.append((path, self.owners[path], owner))
            return
        self.files[path] = data
        self.owners[path] = owner

    def raise_collisions(self) -> None:
        if self.clashes:
            raise BuildFailed([
                error(second, None, f"{first} and {second} would both be written to {path}: give "
                                    "one a different slug or section, or rename the file")
                for path, first, second in self.clashes])
