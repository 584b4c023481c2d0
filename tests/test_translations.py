"""Language versions of one story find each other, and a lone version links nowhere."""

from __future__ import annotations

from conftest import Tags, article, hreflangs, local_file

EN_URL = "https://example.org/en/news/hello/"
ES_URL = "https://example.org/es/news/hola/"


def switch_links(page: str) -> list[dict]:
    return [a for a in Tags(page).find("a", rel="alternate") if a.get("hreflang")]


def test_pairing_by_file_name(make_site):
    site = make_site({"content/news/story.en.md": article("Hello"),
                      "content/news/story.es.md": article("Hola")})
    assert site.build().code == 0
    en, es = site.read("en/news/hello/index.html"), site.read("es/news/hola/index.html")
    assert hreflangs(en) == {"en": EN_URL, "es": ES_URL, "x-default": EN_URL}
    assert hreflangs(es) == {"en": EN_URL, "es": ES_URL, "x-default": EN_URL}


def test_same_name_in_different_folders_is_not_a_pair(make_site):
    site = make_site({"content/news/story.en.md": article("Hello"),
                      "content/world/story.es.md": article("Hola")})
    assert site.build().code == 0
    assert "es" not in hreflangs(site.read("en/news/hello/index.html"))


def test_pairing_by_translation_key_across_folders(make_site):
    site = make_site({
        "content/news/cuba-talks.en.md": article("Hello", translation_key="talks-2015"),
        "content/mundo/dialogo.es.md": article("Hola", translation_key="talks-2015"),
    })
    assert site.build().code == 0
    en = site.read("en/news/hello/index.html")
    assert hreflangs(en)["es"] == "https://example.org/es/mundo/hola/"
    links = switch_links(en)
    assert [(a["hreflang"], a["href"]) for a in links][0] == ("es", "/es/mundo/hola/")


def test_key_on_one_file_does_not_split_a_name_pair(make_site):
    site = make_site({"content/news/story.en.md": article("Hello", translation_key="k"),
                      "content/news/story.es.md": article("Hola")})
    assert site.build().code == 0
    assert hreflangs(site.read("es/news/hola/index.html"))["en"] == EN_URL


def test_duplicate_language_in_a_group_names_both_files(make_site):
    site = make_site({
        "content/news/a.en.md": article("One", translation_key="same"),
        "content/world/b.en.md": article("Two", translation_key="same"),
    })
    result = site.build()
    assert result.code == 1
    errors = [l for l in result.err.splitlines() if ": error: " in l]
    assert any("content/news/a.en.md" in l and "content/world/b.en.md" in l for l in errors), \
        result.err
    assert not site.public.exists()


def test_language_switch_labels_in_their_own_language(make_site):
    site = make_site({"content/news/story.en.md": article("Hello"),
                      "content/news/story.es.md": article("Hola")})
    assert site.build().code == 0
    en_switch = switch_links(site.read("en/news/hello/index.html"))
    assert en_switch and all(a["lang"] == "es" and a["href"] == "/es/news/hola/" for a in en_switch)
    es_page = site.read("es/news/hola/index.html")
    assert '<a href="/es/news/hola/" hreflang="es" lang="es" rel="alternate">' not in es_page
    assert ('<a href="/en/news/hello/" hreflang="en" lang="en" rel="alternate">English</a>'
            in es_page)
    assert ('<a href="/es/news/hola/" hreflang="es" lang="es" rel="alternate">Español</a>'
            in site.read("en/news/hello/index.html"))


def test_single_language_article_has_no_switch_and_no_dead_hreflang(make_site):
    site = make_site({"content/news/only.en.md": article("Hello")})
    assert site.build().code == 0
    page = site.read("en/news/hello/index.html")
    assert switch_links(page) == []
    # SPEC §6.1: the switch leads to the other language's front page, as no alternate of it
    to_spanish = Tags(page.split('<footer class="site-footer"')[0]).find("a", hreflang="es")
    assert [(a["href"], a.get("rel")) for a in to_spanish] == [("/es/", None)]
    for lang, url in hreflangs(page).items():
        assert local_file(site.public, url, "https://example.org/").is_file(), (lang, url)
    assert "es" not in hreflangs(page)


def test_single_language_article_x_default_is_itself(make_site):
    """SPEC §3: every article page has hreflang for itself plus x-default, the only version."""
    site = make_site({"content/news/solo.es.md": article("Hola")})
    assert site.build().code == 0
    assert hreflangs(site.read("es/news/hola/index.html")) == {"es": ES_URL, "x-default": ES_URL}


def test_x_default_points_to_default_language_version(make_site):
    config_es_default = (
        '[site]\nbase_url = "https://example.org"\ndefault_language = "es"\n'
        'languages = ["en", "es"]\ntimezone = "America/Havana"\n'
        '[languages.es]\nsections = { news = "Noticias" }\n'
    )
    site = make_site({"content/news/story.en.md": article("Hello"),
                      "content/news/story.es.md": article("Hola")}, config=config_es_default)
    assert site.build().code == 0
    assert hreflangs(site.read("en/news/hello/index.html"))["x-default"] == \
        "https://example.org/es/noticias/hola/"


def test_unpublished_translation_is_not_linked(make_site):
    site = make_site({"content/news/story.en.md": article("Hello"),
                      "content/news/story.es.md": article("Hola", draft="true")})
    assert site.build().code == 0
    page = site.read("en/news/hello/index.html")
    assert "/es/news/hola/" not in page
    assert switch_links(page) == []
