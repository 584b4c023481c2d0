"""Markdown's inline pass without the patterns that cannot match (sitegen.inline) writes what
Markdown's own pass writes."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest

from sitegen.inline import SkippingInline

SNIPPETS = [
    "The *situation* is [very different](https://example.org/) from *what* they say.",
    "[A link](https://a.example/) first, then *emphasis* and **strong** after it.",
    "Two spaces  \nbreak a line; *this* does not.",
    "<span class=\"x\">raw</span> *then* &amp; &copy; and `code *not em*` *em*.",
    r"An escaped \*star\* and a *real* one, a \[bracket\] and [a link][ref].",
    "***Strong emphasis*** and a footnote[^1], **bold [link](x) bold** _under_.\n\n[^1]: A note.",
    "![An image](/a.png \"Its title\") *after* <https://example.org> <ana@example.org>.",
    "snake_case_word and *star*_under_ mixed **_both_** __strong__.",
    "Nothing special at all in this text, only words.",
    "* item *one*\n* item [two](/two/)\n\n1. first `x`\n2. second &amp;",
    "Term\n: Definition with *em*\n\n| a | *b* |\n|---|---|\n| [c](/c/) | d |",
    "Abbreviations: HTML is *fine*.\n\n*[HTML]: Hyper Text",
    "[ref]: https://example.org/ref\n\nA [reference] link and an ![image ref][ref].",
    # One kind of mark alone in a text: the pattern that needs it must still be tried.
    "_Only_ __underscores__ here.",
    "Only a [link](/x/).",
    "Only `code` here.",
    r"Only an \escape here.",
    "Only <b>raw HTML</b> here.",
    "Only &amp; an entity.",
    "Only a  \nbreak.",
    "Only <https://example.org>.",
]

EXTENSIONS = ["extra", "sane_lists"]


def converters() -> tuple[markdown.Markdown, markdown.Markdown]:
    stock = markdown.Markdown(extensions=EXTENSIONS)
    skipping = markdown.Markdown(extensions=EXTENSIONS)
    skipping.treeprocessors.register(SkippingInline(skipping), "inline", 20)
    return stock, skipping


def bodies() -> list[str]:
    """The snippets above and every article of the example site."""
    content = Path(__file__).resolve().parents[1] / "content"
    return SNIPPETS + [p.read_text("utf-8") for p in sorted(content.rglob("*.md"))]


@pytest.mark.parametrize("text", bodies())
def test_the_skipping_pass_writes_what_markdowns_own_writes(text: str) -> None:
    stock, skipping = converters()
    assert skipping.convert(text) == stock.convert(text)


def test_it_still_tries_a_pattern_it_does_not_know() -> None:
    from markdown.inlinepatterns import SimpleTagInlineProcessor

    stock, skipping = converters()
    for converter in (stock, skipping):  # a pattern of no character sitegen knows of
        converter.inlinePatterns.register(
            SimpleTagInlineProcessor(r"()~~(.+?)~~", "del"), "strike", 1)
    assert skipping.convert("a ~~gone~~ b") == stock.convert("a ~~gone~~ b") == \
        "<p>a <del>gone</del> b</p>"
