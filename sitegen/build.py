"""The pipeline, top to bottom: configuration, articles, stories, site, files, output folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import assemble, content, discover, l10n, translations, write
from . import config as site_config
from .assemble import BuildOptions, Site
from .errors import BuildFailed, Diagnostic
from .render import Theme, render_site


@dataclass(frozen=True, slots=True)
class BuildResult:
    site: Site
    files: int
    report: write.WriteReport


def build(site_dir: Path, options: BuildOptions, out_dir: Path | None = None,
          base_url: str | None = None) -> BuildResult:
    """Build the site into `out_dir` (default `public/`); nothing is written unless all went well."""
    config = load_config(site_dir, base_url)
    out = out_dir if out_dir is not None else config.site_dir / "public"
    write.check_output_dir(config.site_dir, out)
    catalogs = load_catalogs(config)
    site = load_site(config, options, catalogs)
    files = render_site(site, Theme.load(discover.theme_dirs(config)), catalogs,
                        config.site_dir / "static")
    return BuildResult(site, len(files), write.commit(files, out))


def load_config(site_dir: Path, base_url: str | None = None) -> site_config.SiteConfig:
    config = site_config.load(site_dir)
    return config if base_url is None else site_config.with_base_url(config, base_url)


def load_catalogs(config: site_config.SiteConfig) -> dict[str, Any]:
    dirs = discover.locale_dirs(config)
    return {lang: l10n.translations(dirs, lang, config.site_dir) for lang in config.codes}


def load_site(config: site_config.SiteConfig, options: BuildOptions,
              catalogs: dict[str, Any]) -> Site:
    """Parse every article and group them into stories, reporting all problems together."""
    renderers = {lang: content.BodyRenderer(catalog) for lang, catalog in catalogs.items()}
    problems: list[Diagnostic] = []
    articles = []
    for source in discover.content_files(config):
        try:
            articles.append(content.parse(source, source.path.read_bytes(), config,
                                          lambda lang, text: renderers[lang](text)))
        except BuildFailed as failed:
            problems.extend(failed.diagnostics)
    try:
        groups = translations.group(articles, config.codes)
    except BuildFailed as failed:
        problems.extend(failed.diagnostics)
    if problems:
        raise BuildFailed(problems)
    return assemble.assemble(config, groups, options)
