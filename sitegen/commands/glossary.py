"""The `[terms]` entries `sitegen check` suggests: tags that paired stories use in two languages
with no glossary entry joining them, so their tag pages do not yet link to each other.

The evidence is the stories themselves: a tag of the English version and a tag of the Spanish
version that mark the same paired stories are most likely one term. Each tag of the default
language is paired with at most one tag of each other language, strongest pairs first: the same
spelling (`cuba`, `Cuba`) before anything else, then the pair whose stories overlap most, then
the one used together most often, then the most alike in spelling.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .. import urls
from ..config import Glossary, SiteConfig, key_line
from ..errors import Diagnostic, info
from ..translations import TranslationGroup

# Below this share of stories in common (of the stories either tag marks), two tags spelled
# differently that were used together are a coincidence rather than one term.
_OVERLAP = 0.5


@dataclass(frozen=True, slots=True)
class _Usage:
    """The tags one language's versions give themselves, in the paired stories with `other`."""

    stories: dict[str, set[int]]  # tag slug -> the stories it marks
    spellings: dict[str, Counter[str]]  # tag slug -> how often each spelling is used
    terms: dict[str, int | None]  # tag slug -> the entry it is a spelling of, lacking `other`


@dataclass(frozen=True, slots=True)
class _Match:
    """A tag of the default language and its counterpart in one other language."""

    spelling: str
    together: int  # paired stories both tags mark
    exact: bool  # both mark exactly the same stories
    first: str  # the first of those stories, its default-language file


@dataclass(slots=True)
class Suggestion:
    """One entry of `[terms]` to add, or an entry to give more spellings."""

    key: str  # the spelling in the default language: the entry's key
    term: int | None  # the entry it completes, None for a new one
    matches: dict[str, _Match]  # other language -> its tag

    def toml(self, glossary: Glossary) -> str:
        """The entry as a line to paste into `[terms]`."""
        known = [] if self.term is None else list(glossary.terms[self.term][1:])
        spellings = [*known, *((lang, m.spelling) for lang, m in self.matches.items())]
        inner = ", ".join(f"{lang} = {_quoted(spelling)}" for lang, spelling in spellings)
        return f"{_quoted(self.key)} = {{ {inner} }}"


def suggest(stories: Sequence[TranslationGroup], config: SiteConfig) -> list[Suggestion]:
    """The entries to suggest, by key; each tag is in one suggestion at most."""
    default, glossary = config.default_language, config.glossary
    found: dict[str, Suggestion] = {}
    for other in config.codes:
        if other == default:
            continue
        ours, theirs = _usage(stories, glossary, default, other)
        for slug, match in _matches(ours, theirs, stories, default):
            term = ours.terms[slug]
            key = _favourite(ours.spellings[slug]) if term is None else \
                glossary.spelling(term, default) or ""
            found.setdefault(slug, Suggestion(key, term, {})).matches[other] = match
    return sorted(found.values(), key=lambda s: (s.key.casefold(), s.key))


def findings(stories: Sequence[TranslationGroup], config: SiteConfig) -> Iterator[Diagnostic]:
    """A note per suggestion, at the configuration file where the line is to be added: the
    `[terms]` table's line, or the entry's own where it gets another language."""
    table = key_line(config, (), "terms")
    for suggestion in suggest(stories, config):
        line = table if suggestion.term is None else \
            key_line(config, ("terms",), suggestion.key) or table
        yield info(config.config_file, line, _message(suggestion, config, table is not None))


def _usage(stories: Sequence[TranslationGroup], glossary: Glossary, default: str,
           other: str) -> tuple[_Usage, _Usage]:
    """The tags open to a suggestion in the stories with versions in both languages, each
    version giving its own tags (inherited ones are the glossary's translations already): those
    no entry knows, and the spellings of an entry that has none in `other` yet."""
    ours, theirs = _Usage({}, {}, {}), _Usage({}, {}, {})
    for number, story in enumerate(stories):
        mine, yours = story.version(default), story.version(other)
        if mine is None or yours is None or "tags" not in mine.given & yours.given:
            continue
        for usage, version, is_key in ((ours, mine, True), (theirs, yours, False)):
            for tag in version.tags:
                slug = urls.term_slug(tag)
                term = glossary.term(tag, version.lang)
                if term is not None and (glossary.spelling(term, other) is not None or (
                        is_key and urls.term_slug(glossary.spelling(term, default) or "") != slug)):
                    continue  # the entry joins it already, or it is not the entry's key
                usage.stories.setdefault(slug, set()).add(number)
                usage.spellings.setdefault(slug, Counter())[tag] += 1
                usage.terms[slug] = term
    return ours, theirs


def _matches(ours: _Usage, theirs: _Usage, stories: Sequence[TranslationGroup],
             default: str) -> Iterator[tuple[str, _Match]]:
    """Each default-language tag slug with its counterpart, strongest pairs first."""
    pairs = []
    for mine, marked in ours.stories.items():
        for yours, also in theirs.stories.items():
            together = len(marked & also)
            if not together or theirs.terms[yours] not in (None, ours.terms[mine]):
                continue
            overlap = together / len(marked | also)
            if mine != yours and overlap < _OVERLAP:
                continue
            alike = difflib.SequenceMatcher(None, mine, yours).ratio()
            pairs.append(((mine != yours, -overlap, -together, -alike, mine, yours),
                          mine, yours, marked & also, overlap == 1))
    taken_mine: set[str] = set()
    taken_yours: set[str] = set()
    for _, mine, yours, shared, exact in sorted(pairs):
        if mine in taken_mine or yours in taken_yours:
            continue
        taken_mine.add(mine)
        taken_yours.add(yours)
        first = stories[min(shared)].version(default)
        assert first is not None
        yield mine, _Match(_favourite(theirs.spellings[yours]), len(shared), exact, first.source)


def _favourite(spellings: Counter[str]) -> str:
    """The spelling used most, the first in reading order among equals."""
    return spellings.most_common(1)[0][0]


def _message(suggestion: Suggestion, config: SiteConfig, has_table: bool) -> str:
    from babel import Locale

    names = Locale("en").languages
    default = config.default_language
    tags = [f"{_quoted(suggestion.key)} ({default}"
            + (", in [terms])" if suggestion.term is not None else ")")]
    tags += [f"{_quoted(m.spelling)} ({lang})" for lang, m in suggestion.matches.items()]
    listed = " and ".join([", ".join(tags[:-1]), tags[-1]])
    if len(suggestion.matches) == 1:
        match = next(iter(suggestion.matches.values()))
        evidence = ("mark the same paired story" if match.exact and match.together == 1
                    else f"mark the same {_stories(match.together)}" if match.exact
                    else f"are used together in {_stories(match.together)}")
    else:
        evidence = "are used together in paired stories (" + ", ".join(
            f"{m.together} in {names.get(default, default)} and {names.get(lang, lang)}"
            for lang, m in suggestion.matches.items()) + ")"
    first = min(m.first for m in suggestion.matches.values())
    together = max(m.together for m in suggestion.matches.values())
    shown = first + (", …" if together > 1 else "")
    line = suggestion.toml(config.glossary)
    if suggestion.term is not None:
        added = " and ".join(names.get(lang, lang) for lang in suggestion.matches)
        return (f"tags {listed} {evidence} ({shown}): give the entry its {added} spelling, "
                f"as {line}, so their pages link to each other")
    table = "[tool.sitegen.terms]" if config.config_file == "pyproject.toml" else "[terms]"
    where = table if has_table else f"a {table} table in {config.config_file}"
    return f"tags {listed} {evidence} ({shown}): add {line} to {where} so their pages link " \
           "to each other"


def _stories(number: int) -> str:
    return f"{number} paired stor{'y' if number == 1 else 'ies'}"


def _quoted(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's."""
    return json.dumps(text, ensure_ascii=False)
