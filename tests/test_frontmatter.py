"""Front matter: editors' encodings work, and every problem names the file and its line."""

from __future__ import annotations

from conftest import article, line_of

PATH = "content/news/story.en.md"


def error_lines(result, path: str = PATH) -> list[str]:
    assert result.code == 1, result.out
    assert "Traceback" not in result.err
    return [l for l in result.err.splitlines() if l.startswith(f"{path}:")]


def assert_error_at(result, line: int, *words: str, path: str = PATH) -> None:
    lines = [l for l in error_lines(result, path) if l.startswith(f"{path}:{line}: error: ")]
    assert lines, f"no error at {path}:{line} in:\n{result.err}"
    for word in words:
        assert any(word in l for l in lines), (word, lines)


def test_utf8_bom_and_crlf_build(make_site):
    text = article("Café con leche", body="Primera línea.\n\nSegunda.\n")
    data = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")
    site = make_site({})
    (site.root / "content/news").mkdir(parents=True)
    (site.root / "content/news/cafe.en.md").write_bytes(data)
    result = site.build()
    assert result.code == 0, result.err
    page = site.read("en/news/cafe-con-leche/index.html")
    assert '<h1 class="story__headline">Café con leche</h1>' in page
    assert "<p>Primera línea.</p>" in page
    assert "\r" not in page


def test_yaml_syntax_error_reports_file_line(make_site):
    text = "---\ntitle: Hello\ndate: 2015-01-12\nsummary: one: two\n---\nBody\n"
    site = make_site({PATH: text})
    assert_error_at(site.build(), 4, "invalid YAML")


def test_yaml_unclosed_quote_reports_its_line(make_site):
    text = '---\ndate: 2015-01-12\ntitle: "Hello\n---\nBody\n'
    site = make_site({PATH: text})
    result = site.build()
    assert_error_at(result, 3, "YAML")


def test_unknown_key_suggests_known_key(make_site):
    text = article("Hello", tittle="oops")
    site = make_site({PATH: text})
    assert_error_at(site.build(), line_of(text, "tittle"), "'tittle'", "did you mean 'title'")


def test_unknown_key_without_lookalike_is_named(make_site):
    text = article("Hello", colour="blue")
    site = make_site({PATH: text})
    assert_error_at(site.build(), line_of(text, "colour"), "'colour'")


def test_missing_title(make_site):
    site = make_site({PATH: article(None)})
    assert_error_at(site.build(), 1, "title")


def test_empty_title(make_site):
    text = article('""')
    site = make_site({PATH: text})
    assert_error_at(site.build(), line_of(text, "title"), "title")


def test_missing_date(make_site):
    site = make_site({PATH: article("Hello", date=None)})
    assert_error_at(site.build(), 1, "date")


def test_unparseable_date(make_site):
    text = article("Hello", date="next tuesday")
    site = make_site({PATH: text})
    assert_error_at(site.build(), line_of(text, "date:"), "date", "next tuesday")


def test_lang_disagreeing_with_file_suffix(make_site):
    text = article("Hello", lang="es")
    site = make_site({PATH: text})
    assert_error_at(site.build(), line_of(text, "lang:"), "lang", "'es'", "'en'")


def test_language_not_configured(make_site):
    text = article("Bonjour", lang="fr")
    site = make_site({"content/news/story.md": text})
    assert_error_at(site.build(), line_of(text, "lang:"), "'fr'", path="content/news/story.md")


def test_language_suffix_not_configured(make_site):
    site = make_site({"content/news/story.fr.md": article("Bonjour")})
    result = site.build()
    assert any("'fr'" in l for l in error_lines(result, "content/news/story.fr.md"))


def test_lang_field_without_suffix_is_used(make_site):
    site = make_site({"content/news/story.md": article("Hola", lang="es")})
    assert site.build().code == 0
    assert '<html lang="es">' in site.read("es/news/hola/index.html")


def test_duplicate_key(make_site):
    text = "---\ntitle: One\ndate: 2015-01-12\ntitle: Two\n---\nBody\n"
    site = make_site({PATH: text})
    assert_error_at(site.build(), 4, "'title'", "twice")


def test_missing_front_matter(make_site):
    site = make_site({PATH: "Just a body, no front matter.\n"})
    assert_error_at(site.build(), 1, "front matter")


def test_unclosed_front_matter(make_site):
    site = make_site({PATH: "---\ntitle: Hello\ndate: 2015-01-12\n"})
    assert_error_at(site.build(), 1, "not closed")


def test_front_matter_that_is_not_a_mapping(make_site):
    site = make_site({PATH: "---\n- a\n- b\n---\nBody\n"})
    assert_error_at(site.build(), 2, "mapping")


def test_several_problems_in_one_file_are_reported_together(make_site):
    text = article("Hello", date="someday", tittle="x", draft="maybe")
    site = make_site({PATH: text})
    result = site.build()
    assert_error_at(result, line_of(text, "date:"), "date")
    assert_error_at(result, line_of(text, "tittle"), "tittle")
    assert_error_at(result, line_of(text, "draft"), "draft")


def test_bad_field_types_are_named(make_site):
    text = article("Hello", tags="cuba", sources="Reuters", slug="'a/b'", section="'x y'")
    site = make_site({PATH: text})
    result = site.build()
    for key in ("tags", "sources", "slug", "section"):
        assert_error_at(result, line_of(text, f"{key}:"), key)


def test_not_utf8_is_reported(make_site):
    site = make_site({})
    (site.root / "content/news").mkdir(parents=True)
    (site.root / PATH).write_bytes(article("Caf\xe9").encode("latin-1"))
    result = site.build()
    assert any("UTF-8" in l for l in error_lines(result))
