"""Python-Markdown's inline pass, without the patterns that cannot match.

Markdown tries each of its fifteen inline patterns on every run of text (a paragraph, an item,
a cell), and most texts hold none of the characters a pattern starts with: an emphasis needs a
`*` or `_`, a link a `[`, raw HTML a `<`. Skipping a pattern whose characters are absent changes
nothing, since its expression cannot match; it halves the time Markdown takes over a body.
Patterns this module does not know of, such as those of a newer Markdown, are always tried.
"""

from __future__ import annotations

from typing import Any

from markdown.treeprocessors import InlineProcessor
from markdown.util import AtomicString

# A pattern by its name in Markdown's registry -> the characters of which its match holds one.
NEEDS = {
    "backtick": "`",
    "escape": "\\",
    "footnote": "[",
    "reference": "[",
    "link": "[",
    "image_link": "[",
    "image_reference": "[",
    "short_reference": "[",
    "short_image_ref": "[",
    "autolink": "<",
    "automail": "<",
    "linebreak": "\n",
    "html": "<",
    "entity": "&",
    "em_strong": "*_",
    "em_strong2": "_",
    "not_strong": "*_",
    "strong_em": "*_",
    "strong": "*_",
    "emphasis": "*_",
    "emphasis2": "_",
}


class SkippingInline(InlineProcessor):
    """Markdown's own inline processor, trying only the patterns that can match a text."""

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        if not hasattr(self, "_needs"):  # the patterns are registered once, with the converter
            self._patterns = list(self.inlinePatterns)
            names = {self.inlinePatterns.get_index_for_name(name): name
                     for name in NEEDS if name in self.inlinePatterns}
            self._needs = [frozenset(NEEDS.get(names.get(index, ""), ""))
                           for index in range(len(self._patterns))]
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, AtomicString):
            return data
        patterns, needs = self._patterns, self._needs
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        # A match only takes characters away (it leaves a placeholder of none of these).
        present = {char for char in _ANY if char in data}
        start = 0
        while patternIndex < len(patterns):
            chars = needs[patternIndex]
            if chars and chars.isdisjoint(present):
                patternIndex, start = patternIndex + 1, 0  # as after a pattern that found none
                continue
            data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


_ANY = "".join(sorted(set("".join(NEEDS.values()))))
