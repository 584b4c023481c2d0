"""The whole site as the editors' desk sees it, read without writing anything.

`check`, `status` and the preview's status page all ask the same questions of the same data:
every article that parses, the problems of those that do not, the stories and which of their
translations fell behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..build import SiteInputs, article_keys, load_config, parse_articles, site_places
from ..config import SiteConfig
from ..content import Article, Parsed
from ..errors import Diagnostic
from ..inherit import inherit_leniently
from ..staleness import Stale, stale_translations
from ..translations import TranslationGroup, group_leniently
from ..urls import Places


@dataclass(frozen=True, slots=True)
class Survey:
    inputs: SiteInputs
    articles: tuple[Article, ...]  # every article that parses, drafts and future ones
    # included, each completed from its story (`inherit.py`)
    problems: tuple[Diagnostic, ...]  # the errors of those that do not, and duplicate versions
    stories: tuple[TranslationGroup, ...]
    stale: dict[str, Stale]  # stale translation's file -> why
    places: Places  # each language's folders

    @property
    def config(self) -> SiteConfig:
        return self.inputs.config


# Each key's article, made by the given function only where not known already (the preview's
# article memo).
Remembered = Callable[[Sequence[str], Callable[[list[int]], Iterable[Parsed]]], list[Parsed]]


def survey(site_dir: Path, remembered: Remembered | None = None) -> Survey:
    """Read and parse the site; a broken configuration or theme raises BuildFailed, a broken
    article is one more problem."""
    inputs = SiteInputs.read(load_config(site_dir))
    keys = article_keys(inputs)

    def parse(places: list[int]) -> list[Parsed]:
        return parse_articles(inputs, places)

    parsed = remembered(keys, parse) if remembered else parse(list(range(len(keys))))
    articles = [a for a in parsed if isinstance(a, Article)]
    problems = [p for a in parsed if not isinstance(a, Article) for p in a]
    grouped, duplicates = group_leniently(articles, inputs.config.codes)
    stories, undated = inherit_leniently(grouped, inputs.config)
    articles = [version for story in stories for version in story.versions]
    stale = stale_translations(stories, inputs.history, inputs.files,
                               inputs.config.default_language)
    return Survey(inputs, tuple(articles), tuple(problems + duplicates + undated), stories, stale,
                  site_places(inputs))
