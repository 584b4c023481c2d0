"""Typography per language: each language's quotation marks (from its catalog), apostrophes,
and the space its locale writes before `%`, in bodies, headlines, summaries and captions, and
never in code or addresses."""

from __future__ import annotations

import re

import pytest
from conftest import CONFIG, Tags, article, element, visible_text

NBSP = "\u00a0"

BODY = """\
She said "it's 'fine' now" and left.

Prices rose 10% in May, and 3,5 % in June.

The word 'sobre' and O'Neil's dogs' toys in the '80s, class of '98.

Run `echo "it's" 10%` or:

    grep "it's" --count 10%

~~~
fenced "it's" 10%
~~~

See <https://example.org/share?x=10%25> and [the data](https://example.org/a%20b "Data 'set'").

<span title="a 'b' 10%">inline "html"</span>

A note[^1], 5\\' 10\\" tall.

[^1]: Source: "the ministry".
"""


def body(page: str) -> str:
    return element(page, "div", "story__body")


@pytest.fixture
def pair(make_site):
    site = make_site({
        "content/world/q.en.md": article('He Said "Yes" to a 10% Cut', body=BODY,
                                         summary="'\"It''s a start,\" they said.'", slug="q"),
        "content/world/q.es.md": article('Dijo "sí" a un recorte del 10%', body=BODY,
                                         summary="'\"Es un comienzo\", dijeron.'", slug="q",
                                         image="/images/a.svg", image_alt="A",
                                         image_caption="La 'nueva' plaza, al 50%"),
        "static/images/a.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>',
    })
    result = site.build()
    assert result.code == 0, result.err
    return site.read("en/world/q/index.html"), site.read("es/world/q/index.html")


def test_english_quotes_and_apostrophes(pair):
    text = body(pair[0])
    assert "She said “it’s ‘fine’ now” and left." in text
    assert "The word ‘sobre’ and O’Neil’s dogs’ toys in the ’80s, class of ’98." in text


def test_spanish_angle_quotes_with_english_quotes_inside(pair):
    """The RAE's order: « », then “ ” inside; a single-quoted meaning keeps ‘ ’; apostrophes
    are ’."""
    text = body(pair[1])
    assert "She said «it’s “fine” now» and left." in text
    assert "The word ‘sobre’ and O’Neil’s dogs’ toys in the ’80s, class of ’98." in text


def test_quotes_typed_as_marks_count_as_a_quotation(make_site):
    site = make_site({"content/world/q.es.md": article(
        "Q", body='«Vamos a "plantear" los casos», dijo. "Uno", "dos".\n')})
    assert site.build().code == 0
    assert "«Vamos a “plantear” los casos», dijo. «Uno», «dos»." in \
        body(site.read("es/world/q/index.html"))


def test_no_break_space_before_percent_in_spanish_only(pair):
    en, es = body(pair[0]), body(pair[1])
    assert "Prices rose 10% in May, and 3,5 % in June." in en  # as typed
    assert f"Prices rose 10{NBSP}% in May, and 3,5{NBSP}% in June." in es


def test_code_addresses_attributes_and_raw_html_are_left_alone(pair):
    for page in pair:
        text = body(page)
        assert "<code>echo \"it's\" 10%</code>" in text
        assert "<pre><code>grep \"it's\" --count 10%\n</code></pre>" in text
        assert "<pre><code>fenced &quot;it's&quot; 10%\n</code></pre>" in text
        assert '<a href="https://example.org/share?x=10%25">https://example.org/share?x=10%25</a>' \
            in text
        assert '<a href="https://example.org/a%20b" title="Data \'set\'">' in text
        assert "<span title=\"a 'b' 10%\">" in text
        assert "5' 10\" tall" in visible_text(text)  # escaped quotes stay straight


def test_footnotes_are_set_too_and_keep_their_links(pair):
    en, es = pair
    assert "Source: “the ministry”." in visible_text(element(en, "div", "footnote"))
    assert "Source: «the ministry»." in visible_text(element(es, "div", "footnote"))
    assert 'href="#fn:1"' in en and 'class="footnote-backref"' in es


def test_a_url_with_percent_in_the_text_is_left_alone(make_site):
    site = make_site({"content/world/q.es.md": article(
        "Q", body="Descargue https://example.org/datos?cuota=10% o /informe/10%20final.\n")})
    assert site.build().code == 0
    assert "https://example.org/datos?cuota=10% o /informe/10%20final." in \
        body(site.read("es/world/q/index.html"))


def test_double_hyphens_and_dots_are_left_as_typed(make_site):
    site = make_site({"content/world/q.en.md": article(
        "Q", body="Use --drafts... or -- as a dash --- here.\n\n<!-- a comment -->\n")})
    assert site.build().code == 0
    page = site.read("en/world/q/index.html")
    assert "Use --drafts... or -- as a dash --- here." in body(page)
    assert "<!-- a comment -->" in page


def test_headlines_summaries_and_captions_are_set(pair):
    en, es = pair
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", en) == ["He Said “Yes” to a 10% Cut"]
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", es) == [f"Dijo «sí» a un recorte del 10{NBSP}%"]
    assert visible_text(element(en, "p", "story__dek")) == "“It’s a start,” they said."
    assert visible_text(element(es, "p", "story__dek")) == "«Es un comienzo», dijeron."
    assert f"La ‘nueva’ plaza, al 50{NBSP}%" in element(es, "figure", "story__image")
    assert Tags(es).find("meta", property="og:title")[0]["content"] == \
        f"Dijo «sí» a un recorte del 10{NBSP}%"


def test_the_slug_is_made_from_the_headline_as_written(make_site):
    site = make_site({"content/world/q.en.md": article("'\"Cuba''s\" Big Day'")})
    assert site.build().code == 0
    assert (site.public / "en/world/cubas-big-day/index.html").is_file()


def test_a_catalog_chooses_the_quotation_marks(make_site):
    """A site's own catalog wins: French with a no-break space inside its guillemets."""
    config = CONFIG.replace('languages = ["en", "es"]', 'languages = ["en", "fr"]') \
        .replace("[languages.es]", "[languages.fr]")
    po = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
          'msgctxt "quotation marks"\nmsgid "“"\nmsgstr "«\u00a0"\n\n'
          'msgctxt "quotation marks"\nmsgid "”"\nmsgstr "\u00a0»"\n')
    site = make_site({"locales/fr/LC_MESSAGES/messages.po": po,
                      "content/world/q.fr.md": article("Q", body='Il a dit "oui" à 10%.\n')},
                     config=config)
    assert site.build().code == 0
    assert f"Il a dit «{NBSP}oui{NBSP}» à 10{NBSP}%." in body(site.read("fr/world/q/index.html"))


def test_tags_are_shown_as_written(make_site):
    site = make_site({"content/world/q.en.md": article("Q", tags="[COP28, Human Rights, eBay]")})
    assert site.build().code == 0
    page = site.read("en/world/q/index.html")
    assert [visible_text(a) for a in re.findall(r'rel="tag">(.*?)</a>', page)] == \
        ["COP28", "Human Rights", "eBay"]
    assert "<h1 class=\"listing__title\">Human Rights</h1>" in \
        site.read("en/tags/human-rights/index.html")
    css = (site.public / "assets").rglob("site*.css")
    for sheet in css:
        rules = sheet.read_text("utf-8")
        for selector in ("story__tags", "terms", "listing__title"):
            for block in re.findall(rf"\.{selector}[^{{]*\{{([^}}]*)\}}", rules):
                assert "text-transform" not in block, (selector, block)
