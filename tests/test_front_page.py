"""The front page's first page has a newspaper's hierarchy: the lead story with its photograph,
the next stories beside it, a shelf per section of its newest other stories, then the newest of
the rest; its other pages are a plain listing."""

from __future__ import annotations

import re
from collections.abc import Callable

from conftest import JPEG, Site, Tags, article, visible_text

SECTIONS = ["americas", "economy", "culture", "world"]


def newsroom(make_site: Callable[..., Site], stories: int = 24) -> Site:
    """`stories` stories, one a day, newest last, around the sections in turn; each in English
    and Spanish, with a photograph."""
    files: dict[str, str | bytes] = {"content/photo.jpg": JPEG}
    for n in range(stories):
        section = SECTIONS[n % len(SECTIONS)]
        day = f"2024-01-{n + 1:02d}T09:00:00-05:00" if n < 28 else f"2024-02-{n - 27:02d}"
        for lang, title in (("en", f"Story {n}"), ("es", f"Noticia {n}")):
            files[f"content/{section}/s{n}.{lang}.md"] = article(
                title, date=day, translation_key=f"s{n}", image="/photo.jpg",
                image_alt="A photograph", summary=f"Summary of {title}.")
    site = make_site(files)
    result = site.build()
    assert result.code == 0, result.err
    return site


def headlines(html: str) -> list[str]:
    return re.findall(r'class="teaser__headline"><a href="[^"]+">([^<]+)</a>', html)


def test_the_lead_the_stories_beside_it_and_a_shelf_per_section(
        make_site: Callable[..., Site]) -> None:
    site = newsroom(make_site)
    front = site.read("en/index.html")
    shown = headlines(front)
    assert shown[:5] == ["Story 23", "Story 22", "Story 21", "Story 20", "Story 19"]
    assert len(shown) == len(set(shown))  # no story twice
    assert shown.count("Story 23") == 1
    # The lead: its photograph first to load, across the column; the others lazily, at the side.
    lead = front[front.index("teaser--lead"):front.index("front__secondary")]
    assert 'fetchpriority="high"' in lead and "Summary of Story 23." in lead
    assert front.count('fetchpriority="high"') == 1
    assert front.count("teaser--side") == 4
    # A shelf per section, in the order the configuration declares them, each headed by a link to its page, holding
    # its newest stories that are not above (at most four).
    headings = re.findall(r'<h2 class="front__heading" id="front-(\w+)"><a href="([^"]+)">'
                          r'([^<]+)</a></h2>', front)
    assert [(name, href) for name, href, _ in headings] == [
        ("americas", "/en/americas/"), ("culture", "/en/culture/"),
        ("economy", "/en/economy/"), ("world", "/en/world/")]
    shelves = re.split(r'<section class="front__shelf"', front)[1:]
    americas = headlines(shelves[0])
    assert americas == ["Story 16", "Story 12", "Story 8", "Story 4"]  # 20 is above
    assert all(len(headlines(shelf)) <= 4 for shelf in shelves)
    # Every story of the first page's list is somewhere on the page.
    assert {f"Story {n}" for n in range(14, 24)} <= set(shown)
    # The headings go in order: the page's, the shelves', the stories' on the shelves.
    assert '<h3 class="teaser__headline">' in shelves[0]
    assert Tags(front).find("h1")


def test_in_spanish_and_on_the_next_page(make_site: Callable[..., Site]) -> None:
    site = newsroom(make_site)
    front = site.read("es/index.html")
    assert headlines(front)[0] == "Noticia 23"
    assert '<a href="/es/economy/">Economy</a></h2>' in front
    second = site.read("en/page/2/index.html")
    assert "front__shelf" not in second and "teaser--lead" not in second
    assert headlines(second)[:2] == ["Story 13", "Story 12"]


def test_a_small_site_has_no_empty_shelf(make_site: Callable[..., Site]) -> None:
    site = newsroom(make_site, stories=3)
    front = site.read("en/index.html")
    assert headlines(front) == ["Story 2", "Story 1", "Story 0"]
    assert "front__shelf" not in front


def test_an_edit_to_a_story_on_a_shelf_shows_on_the_front_page(
        make_site: Callable[..., Site]) -> None:
    site = newsroom(make_site)
    site.write("content/americas/s4.en.md", article(
        "Story 4, corrected", date="2024-01-05T09:00:00-05:00", translation_key="s4",
        image="/photo.jpg", image_alt="A photograph"))
    assert site.build().code == 0
    front = site.read("en/index.html")
    assert "Story 4, corrected" in visible_text(front)
