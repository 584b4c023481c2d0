"""Site configuration: sitegen.toml or [tool.sitegen], every bad key named with its line."""

from __future__ import annotations

import re

from conftest import CONFIG, Tags, article, config_with, line_of

STORY = {"content/news/story.en.md": article("Hello")}


def assert_config_error(result, file: str, line: int, *words: str) -> None:
    assert result.code == 1
    prefix = f"{file}:{line}: error: "
    lines = [l for l in result.err.splitlines() if l.startswith(prefix)]
    assert lines, f"no {prefix!r} in:\n{result.err}"
    for word in words:
        assert any(word in l for l in lines), (word, lines)
    assert "Traceback" not in result.err


def test_sitegen_toml_sets_titles_and_base_url(make_site):
    site = make_site(STORY)
    assert site.build().code == 0
    page = site.read("en/index.html")
    assert "<title>The Island Post</title>" in page
    assert '<link rel="canonical" href="https://example.org/en/">' in page
    assert "<title>El Post de la Isla</title>" in site.read("es/index.html")


def test_pyproject_tool_sitegen_table_is_read(make_site):
    pyproject = (
        '[project]\nname = "paper"\n\n'
        + CONFIG.replace("[site]", "[tool.sitegen.site]")
        .replace("[languages.", "[tool.sitegen.languages.")
        .replace("https://example.org", "https://py.example.net")
    )
    site = make_site({**STORY, "pyproject.toml": pyproject}, config=None)
    result = site.build()
    assert result.code == 0, result.err
    assert '<link rel="canonical" href="https://py.example.net/en/">' in site.read("en/index.html")


def test_pyproject_error_names_pyproject_and_line(make_site):
    pyproject = '[project]\nname = "paper"\n\n[tool.sitegen.site]\nbase_url = "https://x.org"\ntitel = "x"\n'
    site = make_site({**STORY, "pyproject.toml": pyproject}, config=None)
    assert_config_error(site.build(), "pyproject.toml", line_of(pyproject, "titel"), "titel")


def test_sitegen_toml_wins_over_pyproject(make_site):
    pyproject = '[tool.sitegen.site]\nbase_url = "https://other.example"\n'
    site = make_site({**STORY, "pyproject.toml": pyproject})
    assert site.build().code == 0
    assert "https://example.org/en/" in site.read("en/index.html")


def test_unknown_key_is_named_with_line_and_suggestion(make_site):
    config = CONFIG.replace('title = "The Island Post"', 'titel = "The Island Post"')
    site = make_site(STORY, config=config)
    result = site.build()
    assert_config_error(result, "sitegen.toml", line_of(config, "titel"), "'titel'",
                        "did you mean 'title'")
    assert not site.public.exists()


def test_unknown_site_key_is_named(make_site):
    config = config_with(per_pag="3")
    site = make_site(STORY, config=config)
    assert_config_error(site.build(), "sitegen.toml", line_of(config, "per_pag"), "per_pag",
                        "per_page")


def test_wrong_type_is_named_with_line(make_site):
    config = config_with(per_page='"two"')
    site = make_site(STORY, config=config)
    assert_config_error(site.build(), "sitegen.toml", line_of(config, "per_page"), "per_page")


def test_languages_must_be_a_list(make_site):
    config = CONFIG.replace('languages = ["en", "es"]', 'languages = "en"')
    site = make_site(STORY, config=config)
    assert_config_error(site.build(), "sitegen.toml", line_of(config, "languages ="), "languages")


def test_language_table_not_in_site_languages(make_site):
    config = CONFIG + '\n[languages.fr]\ntitle = "La Poste"\n'
    site = make_site(STORY, config=config)
    assert_config_error(site.build(), "sitegen.toml", line_of(config, "[languages.fr]"), "'fr'")


def test_bad_timezone(make_site):
    config = CONFIG.replace("America/Havana", "Mars/Olympus_Mons")
    site = make_site(STORY, config=config)
    assert_config_error(site.build(), "sitegen.toml", line_of(config, "timezone"), "timezone",
                        "Mars/Olympus_Mons")


def test_bad_base_url(make_site):
    config = CONFIG.replace('"https://example.org"', '"example.org"')
    site = make_site(STORY, config=config)
    assert_config_error(site.build(), "sitegen.toml", line_of(config, "base_url"), "base_url")


def test_default_language_not_in_languages(make_site):
    config = CONFIG.replace('default_language = "en"', 'default_language = "fr"')
    site = make_site(STORY, config=config)
    assert_config_error(site.build(), "sitegen.toml", line_of(config, "default_language"),
                        "default_language", "'fr'")


def test_unknown_language_code(make_site):
    config = CONFIG.replace('["en", "es"]', '["en", "xx-notalanguage"]')
    site = make_site(STORY, config=config)
    assert_config_error(site.build(), "sitegen.toml", line_of(config, "languages ="),
                        "xx-notalanguage")


def test_all_config_errors_reported_together(make_site):
    config = (CONFIG.replace("America/Havana", "Nowhere/City")
              .replace('"https://example.org"', '"ftp://example.org"'))
    site = make_site(STORY, config=config)
    result = site.build()
    assert_config_error(result, "sitegen.toml", line_of(config, "timezone"), "timezone")
    assert_config_error(result, "sitegen.toml", line_of(config, "base_url"), "base_url")


def test_invalid_toml_names_line(make_site):
    config = CONFIG.replace('theme = "default"', 'theme = "default')
    site = make_site(STORY, config=config)
    assert_config_error(site.build(), "sitegen.toml", line_of(config, 'theme = "default'),
                        "TOML")


def test_base_url_option_must_be_absolute(make_site):
    site = make_site(STORY)
    result = site.build("--base-url", "not-a-url")
    assert result.code == 1
    assert "--base-url" in result.err and "not-a-url" in result.err
    assert not site.public.exists()


def test_language_name_and_sections_from_config(make_site):
    english, spanish = CONFIG.split("[languages.es]")
    config = english + "[languages.es]" + re.sub(r"sections = .*", 'sections = { news = "Noticias" }',
                                                 spanish)
    site = make_site({"content/news/story.es.md": article("Hola")}, config=config)
    assert site.build().code == 0
    page = site.read("es/noticias/index.html")  # SPEC §6.1: the label's slug
    assert '<h1 class="listing__title">Noticias</h1>' in page
    nav = [a.get("href") for a in Tags(page).find("a")]
    assert "/es/noticias/" in nav
    assert "/es/noticias/hola/" in nav


def test_image_settings_of_the_site(make_site):
    """SPEC §6.5: image_widths, default_image and logo are validated like every key."""
    from sitegen.config import load

    site = make_site({}, config=config_with(image_widths="[1200, 480, 800, 480]",
                                            default_image='"/images/default.jpg"',
                                            logo='"https://example.org/logo.png"'))
    config = load(site.root)
    assert config.image_widths == (480, 800, 1200)
    assert config.default_image == "/images/default.jpg"
    assert config.logo == "https://example.org/logo.png"
    assert load(make_site({}, name="plain").root).image_widths == (480, 800, 1200, 1600)

    bad = config_with(image_widths="[0, 800]", default_image='"javascript:alert(1)"',
                      logo='""')
    site = make_site({"content/news/a.en.md": article("A")}, config=bad, name="bad")
    result = site.build()
    assert result.code != 0
    assert (f"sitegen.toml:{line_of(bad, 'image_widths')}: error: site.image_widths must be "
            "a non-empty list of widths in pixels, from 16 to 8192") in result.err
    assert (f"sitegen.toml:{line_of(bad, 'default_image')}: error: default_image "
            "'javascript:alert(1)' cannot be published: javascript: addresses are not "
            "allowed") in result.err
    assert f"sitegen.toml:{line_of(bad, 'logo')}: error: logo '' must not be empty" in result.err
