"""The whole site as the editors' desk sees it, read without writing anything.

`check`, `status` and the preview's status page all ask the same questions of the same data:
every article that parses, the problems of those that do not, the stories and which of their
translations fell behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .build import SiteInputs, load_config, parse_articles, parse_settings, stale_translations
from .cache import Cache
from .config import SiteConfig
from .content import Article
from .errors import Diagnostic
from .staleness import Stale
from .translations import TranslationGroup, group_leniently


@dataclass(frozen=True, slots=True)
class Survey:
    inputs: SiteInputs
    articles: tuple[Article, ...]  # every article that parses, drafts and future ones included
    problems: tuple[Diagnostic, ...]  # the errors of those that do not, and duplicate versions
    stories: tuple[TranslationGroup, ...]
    stale: dict[str, Stale]  # stale translation's file -> why

    @property
    def config(self) -> SiteConfig:
        return self.inputs.config


def survey(site_dir: Path, store: Cache | None = None) -> Survey:
    """Read and parse the site; a broken configuration or theme raises BuildFailed, a broken
    article is one more problem. `store` is the live preview's memo, if there is one."""
    store = store if store is not None else Cache(None)
    inputs = SiteInputs.read(load_config(site_dir), store)
    settings = parse_settings(inputs, store)
    keys = store.article_keys(inputs.files, settings)
    articles, problems = parse_articles(inputs, settings, keys, store)
    stories, duplicates = group_leniently(articles, inputs.config.codes)
    stale = stale_translations(inputs, stories)
    return Survey(inputs, tuple(articles), tuple(problems + duplicates), stories, stale)
