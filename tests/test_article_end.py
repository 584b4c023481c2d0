"""The end of an article: related stories, the newsletter signup and the share links."""

from __future__ import annotations

import random
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import CONFIG, EPOCH, JPEG, Tags, article, line_of, tree, visible_text

from sitegen.related import ranked
from sitegen.render import Renderer


def story(title: str, date: str, section: str, tags: str, **fields: str) -> str:
    return article(title, date=date, section=section, tags=tags, **fields)


# The story every test of related stories looks at, and what it shares with the others:
# tags cuba and trade, section americas.
STORIES = {
    "content/a.en.md": story("Alpha", "2020-01-10", "americas", "[cuba, trade]",
                             translation_key="alpha"),
    "content/b.en.md": story("Bravo", "2020-01-01", "americas", "[Cuba, trade]",  # 3 points
                             slug="bravo"),
    "content/c.en.md": story("Charlie", "2020-03-01", "americas", "[cuba]"),  # 2, the newest
    "content/d.en.md": story("Delta", "2020-02-01", "world", "[cuba, trade]"),  # 2
    "content/e.en.md": story("Echo", "2020-01-05", "americas", "[haiti]"),  # 1
    "content/f.en.md": story("Foxtrot", "2020-04-01", "culture", "[music]"),  # 0: never
    "content/g.en.md": story("Golf", "2020-01-20", "world", "[trade]"),  # 1, newer than Echo
    # Its Spanish version, and a Spanish story that shares everything with it.
    "content/a.es.md": story("Alfa", "2020-01-10", "americas", "[cuba, comercio]",
                             translation_key="alpha"),
    "content/h.es.md": story("Hotel", "2020-01-02", "americas", "[cuba, comercio]",
                             image="photo.jpg", image_alt="Un muelle"),
    "content/photo.jpg": JPEG,
}


def related(page: str) -> list[str]:
    """The headlines of a page's related stories, in order."""
    found = re.search(r'<section class="related".*?</section>', page, re.DOTALL)
    if found is None:
        return []
    return re.findall(r'<h3 class="related__headline"><a href="[^"]*">([^<]*)</a>', found.group(0))


def built(make_site, files: dict[str, str | bytes], config: str = CONFIG):
    site = make_site(files, config=config)
    result = site.build("-j", "1")
    assert result.code == 0, result.err
    return site


# Related stories ---------------------------------------------------------------------------------

def test_related_stories_rank_by_shared_tags_and_section_newest_first(make_site):
    site = built(make_site, STORIES)
    page = site.read("en/americas/alpha/index.html")
    # Bravo shares both tags (Cuba as written otherwise is cuba) and the section; Charlie and
    # Delta two points each, the newer first; Golf and Echo one each: Golf is newer, and four
    # is the most there are.
    assert related(page) == ["Bravo", "Charlie", "Delta", "Golf"]
    assert "Foxtrot" not in page and "Alfa" not in related(page)
    assert related(site.read("en/culture/foxtrot/index.html")) == []  # shares nothing
    # Each teaser: its headline linked, its date in the page's language.
    block = re.search(r'<section class="related".*?</section>', page, re.DOTALL).group(0)
    assert '<h2 class="related__title" id="related-title">Related stories</h2>' in block
    assert '<a href="/en/americas/bravo/">Bravo</a>' in block
    assert '<time datetime="2020-01-01T00:00:00-05:00">January 1, 2020</time>' in block


def test_related_stories_are_in_the_pages_language_with_their_pictures(make_site):
    site = built(make_site, STORIES)
    page = site.read("es/americas/alfa/index.html")
    assert related(page) == ["Hotel"]  # never the English stories, never its own versions
    block = re.search(r'<section class="related".*?</section>', page, re.DOTALL).group(0)
    assert "Noticias relacionadas" in block
    assert "2 de enero de 2020" in block
    images = Tags(block).find("img")
    assert len(images) == 1 and images[0]["alt"] == "" and images[0]["loading"] == "lazy"
    assert images[0]["src"].startswith("/assets/images/photo-") and images[0]["width"]
    # Hotel's page shows Alfa, which has no picture.
    hotel = site.read("es/americas/hotel/index.html")
    assert related(hotel) == ["Alfa"]
    assert not Tags(re.search(r'<section class="related".*?</section>', hotel,
                              re.DOTALL).group(0)).find("img")


def test_at_most_four_and_never_itself(make_site):
    files = {f"content/s{n}.en.md": story(f"Story {n}", f"2021-01-{n + 1:02d}", "world",
                                          "[cuba]") for n in range(7)}
    site = built(make_site, files)
    for n in range(7):
        shown = related(site.read(f"en/world/story-{n}/index.html"))
        # All share the same: the newest four others, newest first.
        assert shown == [f"Story {m}" for m in range(6, -1, -1) if m != n][:4]


def brute_force(topics: list[frozenset[int]], stories: list[int], limit: int,
                items: list[int] | None = None) -> list[tuple[int, ...]]:
    """Every pair compared (for `items`, default all): what `ranked` must give, found the
    slow way."""
    found = []
    for n in range(len(topics)) if items is None else items:
        mine = topics[n]
        scored = sorted((-len(mine & other), m) for m, other in enumerate(topics)
                        if stories[m] != stories[n] and mine & other)
        found.append(tuple(m for _, m in scored[:limit]))
    return found


def test_ranked_agrees_with_comparing_every_pair():
    rng = random.Random(7)
    for _ in range(300):
        count, kinds = rng.randint(1, 40), rng.randint(1, 9)
        topics = [frozenset(rng.sample(range(kinds), rng.randint(0, min(kinds, 5))))
                  for _ in range(count)]
        stories = [rng.randrange(count) for _ in range(count)]  # some items share a story
        limit = rng.randint(1, 5)
        assert ranked(topics, stories, limit) == brute_force(topics, stories, limit)


def test_ranked_holds_for_a_large_newsroom():
    """20,000 stories, tags as skewed as a newsroom's: every story gets its four, the ones
    comparing every pair would find (its speed is the benchmark's to measure)."""
    rng = random.Random(1)
    weights = [1 / (n + 1) ** 0.7 for n in range(220)]
    topics = []
    for _ in range(20_000):
        tags = set(rng.choices(range(220), weights, k=rng.choice((1, 2, 3, 3, 4, 5))))
        section = 1000 + rng.choices(range(10), [22, 16, 14, 9, 8, 12, 8, 6, 3, 2])[0]
        topics.append(frozenset(tags | {section}))
    found = ranked(topics, list(range(len(topics))))
    assert all(len(best) == 4 for best in found)
    sample = rng.sample(range(len(topics)), 3)
    assert [found[n] for n in sample] == brute_force(topics, list(range(len(topics))), 4,
                                                     sample)


class Rendered:
    """The article pages a build renders, by URL path."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: set[str] = set()
        render = Renderer.render

        def spy(renderer: Renderer, template, context):
            if "article" in context:
                self.paths.add(urlsplit(context["canonical"]).path)
            return render(renderer, template, context)

        monkeypatch.setattr(Renderer, "render", spy)

    def take(self) -> set[str]:
        found, self.paths = self.paths, set()
        return found


def related_blocks(site) -> dict[str, list[str]]:
    return {f"/{path.removesuffix('index.html')}": related(text.decode())
            for path, text in tree(site.public).items()
            if path.startswith("en/") and path.count("/") == 3 and path.endswith("index.html")
            and b'class="story"' in text}


def edit(site, rel: str, old: str, new: str) -> None:
    text = (site.root / rel).read_text("utf-8")
    assert old in text
    (site.root / rel).write_text(text.replace(old, new), "utf-8")


def test_an_edit_renders_the_pages_whose_related_stories_change_and_only_those(
        make_site, monkeypatch, tmp_path: Path):
    english = {rel: text for rel, text in STORIES.items() if not rel.endswith(".es.md")}
    site = built(make_site, english)
    rendered = Rendered(monkeypatch)
    before = related_blocks(site)

    # A correction to Bravo's body: only its own page shows it; the pages that list Bravo as
    # related show its headline, date and picture only, which did not change.
    edit(site, "content/b.en.md", "Second paragraph.", "A corrected paragraph.")
    assert site.build("-j", "1").code == 0
    assert rendered.take() == {"/en/americas/bravo/"}

    # A new headline: every page that lists Bravo shows it.
    edit(site, "content/b.en.md", "title: Bravo", "title: Bravo Two")
    assert site.build("-j", "1").code == 0
    showing = {path for path, titles in before.items() if "Bravo" in titles}
    assert showing and rendered.take() == showing | {"/en/americas/bravo/"}

    # Foxtrot, which shared nothing, is tagged haiti, as Echo is: it becomes Echo's newest
    # related story, and Echo its only one; no other page's list changes.
    before = related_blocks(site)
    edit(site, "content/f.en.md", "tags: [music]", "tags: [haiti]")
    assert site.build("-j", "1").code == 0
    after = related_blocks(site)
    changed = {path for path in after if after[path] != before[path]}
    assert changed == {"/en/americas/echo/", "/en/culture/foxtrot/"}
    assert after["/en/culture/foxtrot/"] == ["Echo"] and after["/en/americas/echo/"][0] == "Foxtrot"
    assert rendered.take() == changed

    # Echo is tagged cuba and trade too: it moves up the lists of the stories that share them.
    edit(site, "content/e.en.md", "tags: [haiti]", "tags: [haiti, cuba, trade]")
    assert site.build("-j", "1").code == 0
    before, after = after, related_blocks(site)
    changed = {path for path in after if after[path] != before[path]}
    assert "/en/americas/alpha/" in changed and "/en/culture/foxtrot/" not in changed
    assert rendered.take() == changed | {"/en/americas/echo/"}
    cold = tmp_path / "cold"
    assert site.build("--no-cache", "-j", "1", "-o", str(cold)).code == 0
    assert tree(cold) == tree(site.public)


def test_the_preview_shows_a_related_storys_new_headline(make_site, tmp_path: Path):
    """The preview's fast path renders the pages that list a story whose headline was saved,
    as a cold build does."""
    from sitegen.assemble import BuildOptions
    from sitegen.commands.preview import Session

    english = {rel: text for rel, text in STORIES.items() if not rel.endswith(".es.md")}
    site = make_site(english)
    out = tmp_path / "preview"
    session = Session(site.root.resolve(), out)
    options = BuildOptions(now=datetime.fromtimestamp(int(EPOCH), UTC))
    session.build(options, None)
    edit(site, "content/b.en.md", "title: Bravo", "title: Bravo Renamed")
    report = session.build(options, {str((site.root / "content/b.en.md").resolve())}).report
    assert "en/americas/alpha/index.html" in report.renewed
    assert related((out / "en/americas/alpha/index.html").read_text("utf-8"))[0] == "Bravo Renamed"
    session.index()  # the search index follows the pages
    session.close()
    cold = tmp_path / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    assert site.build("--no-cache", "-j", "1", "-o", str(cold)).code == 0
    assert tree(cold) == tree(out)


# The newsletter signup ---------------------------------------------------------------------------

NEWSLETTER = CONFIG + """
[languages.en.newsletter]
action = "https://buttondown.com/api/emails/embed-subscribe/islandpost"
hidden = { embed = "1", tag = "web & print" }

[languages.es.newsletter]
action = "https://example.us1.list-manage.com/subscribe/post?u=abc&id=def"
field = "EMAIL"
"""
PAIR = {"content/news/story.en.md": story("A Story", "2020-01-10", "news", "[cuba]",
                                          translation_key="one"),
        "content/news/story.es.md": story("Una historia", "2020-01-10", "news", "[cuba]",
                                          translation_key="one")}


def test_no_newsletter_block_unless_configured(make_site):
    site = built(make_site, PAIR)
    for path in ("en/news/a-story/index.html", "es/news/una-historia/index.html"):
        page = site.read(path)
        assert 'class="newsletter' not in page
        assert [f["action"] for f in Tags(page).find("form")] == [
            "/en/search/" if path.startswith("en") else "/es/buscar/"]


def test_the_newsletter_form_in_each_language(make_site):
    site = built(make_site, PAIR, NEWSLETTER)
    english = site.read("en/news/a-story/index.html")
    form = Tags(english).find("form", class_="newsletter__form")
    assert form == [{"class": "newsletter__form", "method": "post",
                     "action": "https://buttondown.com/api/emails/embed-subscribe/islandpost"}]
    inputs = Tags(english).find("input")
    email = [i for i in inputs if i.get("type") == "email"]
    assert email == [{"class": "newsletter__input", "id": "newsletter-email", "type": "email",
                      "name": "email", "autocomplete": "email", "spellcheck": "false",
                      "required": None}]
    assert Tags(english).find("label", for_="newsletter-email")
    assert [(i["name"], i["value"]) for i in inputs if i.get("type") == "hidden"] == [
        ("embed", "1"), ("tag", "web & print")]
    block = visible_text(re.search(r'<section class="newsletter".*?</section>', english,
                                   re.DOTALL).group(0))
    assert block == ("Subscribe free to our daily newsletter Sign up here to get the latest news, "
                     "updates and special reports delivered directly to your inbox. Your email "
                     "address Subscribe You can unsubscribe at any time.")
    spanish = site.read("es/news/una-historia/index.html")
    form = Tags(spanish).find("form", class_="newsletter__form")
    assert form[0]["action"] == "https://example.us1.list-manage.com/subscribe/post?u=abc&id=def"
    assert 'action="https://example.us1.list-manage.com/subscribe/post?u=abc&amp;id=def"' in spanish
    assert [i["name"] for i in Tags(spanish).find("input", type="email")] == ["EMAIL"]
    block = visible_text(re.search(r'<section class="newsletter".*?</section>', spanish,
                                   re.DOTALL).group(0))
    assert block == ("Suscríbase gratis a nuestro boletín diario Suscríbase aquí para recibir en "
                     "su correo las últimas noticias, novedades e informes especiales. Su correo "
                     "electrónico Suscribirse Puede darse de baja en cualquier momento.")
    # Listings and the other pages have no signup.
    assert 'class="newsletter' not in site.read("en/index.html")


def failed(make_site, config: str) -> list[str]:
    site = make_site(PAIR, config=config)
    result = site.build()
    assert result.code == 1 and "Traceback" not in result.err
    return [line for line in result.err.splitlines() if ": error: " in line]


@pytest.mark.parametrize(("table", "needle", "words"), [
    ('action = "javascript:alert(1)"', "action =", ("action", "full web address")),
    ('action = "ftp://lists.example.org/join"', "action =", ("action", "ftp://")),
    ('action = "/subscribe/"', "action =", ("action", "full web address")),
    ('action = "https://x.example/join now"', "action =", ("space",)),
    ('action = 42', "action =", ("action must be a string",)),
    ('action = "https://x.example/"\nfield = "e mail"', "field =", ("field",)),
    ('action = "https://x.example/"\nmethod = "put"', "method =", ('"post" or "get"',)),
    ('action = "https://x.example/"\nhidden = { embed = 1 }', "hidden =",
     ("a table of strings",)),
    ('action = "https://x.example/"\nhidden = { email = "x" }', "hidden =",
     ("'email'", "e-mail input")),
    ('acton = "https://x.example/"', "acton =", ("unknown key 'acton'", "did you mean 'action'")),
    ('field = "email"', "[languages.en.newsletter]", ("needs `action`",)),
])
def test_newsletter_errors_name_the_key_and_its_line(make_site, table, needle, words):
    config = CONFIG + f"\n[languages.en.newsletter]\n{table}\n"
    found = failed(make_site, config)
    line = line_of(config, needle)
    assert [e for e in found if e.startswith(f"sitegen.toml:{line}: error: ")], (line, found)
    assert all(any(word in e for e in found) for word in words), found


def test_newsletter_as_an_inline_table_is_checked_at_its_line(make_site):
    config = CONFIG.replace('[languages.es]\n',
                            '[languages.es]\nnewsletter = { action = "data:text/html,x" }\n')
    found = failed(make_site, config)
    line = line_of(config, "newsletter =")
    assert found == [(f"sitegen.toml:{line}: error: languages.es.newsletter.action must be the "
                      "full web address of the provider's form, such as https://buttondown.com/"
                      "api/emails/embed-subscribe/NAME, not 'data:text/html,x'")]
    assert failed(make_site, CONFIG.replace('[languages.es]\n', '[languages.es]\nnewsletter = '
                                            '"https://x.example/"\n'))[0].startswith(
        f"sitegen.toml:{line}: error: languages.es.newsletter must be")


# Share links -------------------------------------------------------------------------------------

TITLE = """'AT&T "Deal" in Café #1? 50%/year'"""
SHOWN = "AT&T “Deal” in Café #1? 50%/year"  # as the page shows it, with curly quotes


def shares(page: str) -> dict[str, dict[str, str | None]]:
    return {a["class"].split("--")[1]: a for a in Tags(page).find("a")
            if (a.get("class") or "").startswith("share__link ")}


def test_share_links_carry_the_url_and_title_encoded(make_site):
    site = built(make_site, {"content/news/deal.en.md": story(TITLE, "2020-01-10", "news",
                                                              "[trade]", slug="deal")})
    url = "https://example.org/en/news/deal/"
    links = shares(site.read("en/news/deal/index.html"))
    assert list(links) == ["x", "facebook", "linkedin", "whatsapp", "telegram", "email"]
    hrefs = {name: link["href"] for name, link in links.items()}
    for name, expected in {
        "x": ("x.com", "/intent/tweet", {"text": [SHOWN], "url": [url]}),
        "facebook": ("www.facebook.com", "/sharer/sharer.php", {"u": [url]}),
        "linkedin": ("www.linkedin.com", "/sharing/share-offsite/", {"url": [url]}),
        "whatsapp": ("wa.me", "/", {"text": [f"{SHOWN} {url}"]}),
        "telegram": ("t.me", "/share/url", {"url": [url], "text": [SHOWN]}),
    }.items():
        parts = urlsplit(hrefs[name])
        assert (parts.scheme, parts.netloc, parts.path) == ("https", *expected[:2]), name
        assert parse_qs(parts.query) == expected[2], name
    mail = urlsplit(hrefs["email"])
    assert mail.scheme == "mailto" and parse_qs(mail.query) == {"subject": [SHOWN],
                                                                 "body": [url]}
    # Every reserved character percent-encoded, accents as UTF-8, spaces as %20 (which
    # mailto: needs: a + would stay a plus sign).
    assert hrefs["x"] == ("https://x.com/intent/tweet?text=AT%26T%20%E2%80%9CDeal%E2%80%9D"
                          "%20in%20Caf%C3%A9%20%231%3F%2050%25%2Fyear&url=https%3A%2F%2F"
                          "example.org%2Fen%2Fnews%2Fdeal%2F")
    assert "+" not in hrefs["email"] and "utm_" not in "".join(hrefs.values())
    for link in links.values():
        assert "target" not in link and link["rel"] == "nofollow"


def test_share_links_are_named_in_the_pages_language(make_site):
    site = built(make_site, PAIR)
    english = shares(site.read("en/news/a-story/index.html"))
    spanish = shares(site.read("es/news/una-historia/index.html"))
    assert english["facebook"]["aria-label"] == "Share on Facebook"
    assert spanish["facebook"]["aria-label"] == "Compartir en Facebook"
    assert english["email"]["aria-label"] == "Share by email"
    assert spanish["email"]["aria-label"] == "Compartir por correo"
    page = site.read("es/news/una-historia/index.html")
    assert '<h2 class="share__title" id="share-title">Compartir esta noticia</h2>' in page
    assert ">Correo</a>" in page and "<script" not in page.split('class="share"')[1]
