"""Complete each translation from its story: what describes the story, not its language.

A translator writes the headline, the summary and the body; the date, byline, section, sources,
image and tags are the story's, so a version that leaves them out takes them from the story's
first version (in the order of `languages`) that has them. Tags are translated through the
glossary, and a tag it cannot translate is left out rather than shown in the wrong language.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from . import urls
from .config import SiteConfig
from .content import INHERITABLE, Article
from .errors import BuildFailed, Diagnostic, error
from .translations import TranslationGroup


def inherit(stories: Sequence[TranslationGroup], config: SiteConfig
            ) -> tuple[TranslationGroup, ...]:
    """Every story with its versions completed; a version whose story has no date anywhere is
    an error in its file, all such errors together."""
    completed, problems = inherit_leniently(stories, config)
    if problems:
        raise BuildFailed(problems)
    return completed


def inherit_leniently(stories: Sequence[TranslationGroup], config: SiteConfig
                      ) -> tuple[tuple[TranslationGroup, ...], list[Diagnostic]]:
    """The stories completed and the problems, for tools that report and go on (a version
    left undated is left out of its story)."""
    problems: list[Diagnostic] = []
    completed = []
    for story in stories:
        if all(v.given == INHERITABLE for v in story.versions):
            completed.append(story)  # the usual case: every file gives everything
            continue
        versions = tuple(v for v in (_completed(v, story.versions, config, problems)
                                     for v in story.versions) if v is not None)
        if versions:
            completed.append(TranslationGroup(story.key, versions))
    return tuple(completed), problems


def inherits(version: Article, versions: Sequence[Article]) -> bool:
    """Whether `version` takes anything from another version of its story."""
    return any(origin(version, versions, name) is not None for name in INHERITABLE)


def origin(version: Article, versions: Sequence[Article], name: str) -> Article | None:
    """The version `version` takes field `name` from: the first that gives it."""
    if name in version.given:
        return None
    return next((v for v in versions if name in v.given), None)


def _completed(version: Article, versions: Sequence[Article], config: SiteConfig,
               problems: list[Diagnostic]) -> Article | None:
    if version.given == INHERITABLE:
        return version
    changes: dict[str, Any] = {}
    for name in sorted(INHERITABLE - version.given):
        source = origin(version, versions, name)
        if source is None:
            continue
        if name == "tags":
            changes["tags"] = config.glossary.translate_all(source.tags, source.lang,
                                                            version.lang)
        elif name == "image":  # its credit and focal point go with it; a caption is a text
            changes.update(image=source.image, image_focus=version.image_focus or source.image_focus,
                           image_credit=version.image_credit or source.image_credit)
        elif name == "date":  # shown with its time of day where its version gives one
            changes.update(date=source.date,
                           timed=(version.timed - {"date"}) | (source.timed & {"date"}))
        else:
            changes[name] = getattr(source, name)
    if "date" not in version.given:
        if "date" not in changes:
            problems.append(error(version.source, 1, "missing required 'date' in front matter "
                                  "(no other version of the story gives one to inherit)"))
            return None
        changes["timestamp"] = changes["date"].timestamp()
    if "section" in changes:
        segment = config.language(version.lang).section_segment(changes["section"])
        changes["path"] = urls.article(version.lang, segment, version.slug)
    return dataclasses.replace(version, **changes) if changes else version
