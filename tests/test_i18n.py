"""`sitegen i18n extract | update | compile | init LANG` and the untranslated-string check."""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po
from conftest import CONFIG, Result, Site, line_of

import sitegen.content
from sitegen import config as site_config
from sitegen.commands import i18n
from sitegen.errors import BuildFailed, Diagnostic

REPO = Path(__file__).parents[1]
POT = "locales/messages.pot"
ES = "locales/es/LC_MESSAGES/messages.po"
BACKLINK = "Jump back to footnote {} in the text"
BUNDLED_ES = "sitegen/_bundled/locales/es/LC_MESSAGES/messages.po"

EXTRA = """\
<div class="banner">
  {# Translators: the banner over breaking stories #}
  <p>{{ _("Breaking news") }}</p>
  <p>{{ gettext("Live") }} {{ ngettext("%(num)s update", "%(num)s updates", 3) }}</p>
  <p>{% trans count=2 %}One reader{% pluralize %}{{ count }} readers{% endtrans %}</p>
</div>
"""


def with_languages(*codes: str) -> str:
    """CONFIG with other languages (and without its [languages.es] table, which needs "es")."""
    listed = ", ".join(f'"{code}"' for code in codes)
    return CONFIG.replace('languages = ["en", "es"]', f"languages = [{listed}]") \
        .split("[languages.es]")[0]


def read(path: Path) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp)


def edit(path: Path, strings: dict[str, str | tuple[str, ...]], fuzzy: tuple[str, ...] = ()
         ) -> None:
    """Translate entries of a catalog as a translator would, through Babel: an entry is fuzzy
    only when named in `fuzzy`."""
    catalog = read(path)
    for msgid, string in strings.items():
        message = catalog[msgid]
        message.string = string
        if msgid in fuzzy:
            message.flags.add("fuzzy")
        else:
            message.flags.discard("fuzzy")
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    path.write_bytes(buffer.getvalue())


@pytest.fixture
def site(make_site: Callable[..., Site]) -> Site:
    """A site whose own theme folder adds one template to the bundled theme."""
    return make_site({"themes/default/templates/extra.html": EXTRA})


def i18n_run(site: Site, *args: str) -> Result:
    return site.runner("i18n", *args, "-s", str(site.root))


# extract ---------------------------------------------------------------------------------------

def test_extract_finds_template_strings_and_the_backlink_title(site: Site) -> None:
    result = i18n_run(site, "extract")
    assert result.code == 0, result.err
    assert f"wrote {POT}" in result.out
    catalog = read(site.root / POT)

    breaking = catalog["Breaking news"]
    assert breaking.locations == [("themes/default/templates/extra.html", 3)]
    assert breaking.auto_comments == ["the banner over breaking stories"]
    assert catalog["Live"].locations == [("themes/default/templates/extra.html", 4)]
    assert catalog.get(("%(num)s update", "%(num)s updates")) is not None
    assert catalog.get(("One reader", "%(count)s readers")) is not None

    backlink = catalog[BACKLINK]
    source = Path(sitegen.content.__file__).read_text("utf-8")
    assert backlink.locations == [("sitegen/content.py", line_of(source, BACKLINK))]
    assert "python-brace-format" in backlink.flags
    # The bundled templates the site does not replace, named the same in a wheel or a checkout.
    assert catalog["Newer"].locations[0][0] == "sitegen/_bundled/themes/default/templates/list.html"
    assert "python-format" in catalog["page %(number)s"].flags


def test_extract_header(site: Site) -> None:
    assert i18n_run(site, "extract").code == 0
    text = (site.root / POT).read_text("utf-8")
    catalog = read(site.root / POT)
    assert catalog.project == "sitegen site"
    assert catalog.charset == "utf-8"
    assert catalog.locale is None and catalog.fuzzy
    assert '"POT-Creation-Date: 2025-01-01 00:00+0000\\n"' in text  # SOURCE_DATE_EPOCH
    assert str(site.root) not in text and "/work" not in text


def test_extract_twice_gives_the_same_bytes(site: Site) -> None:
    assert i18n_run(site, "extract").code == 0
    first = (site.root / POT).read_bytes()
    again = i18n_run(site, "extract")
    assert again.code == 0 and f"unchanged: {POT}" in again.out
    assert (site.root / POT).read_bytes() == first


def test_extract_without_source_date_epoch_keeps_the_date_while_strings_stay(
        site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    pot = site.root / POT
    assert i18n_run(site, "extract").code == 0
    first = pot.read_bytes()
    assert i18n_run(site, "extract").code == 0
    assert pot.read_bytes() == first

    site.write("themes/default/templates/more.html", '{{ _("Weather") }}\n')
    assert i18n_run(site, "extract").code == 0
    assert read(pot).get("Weather") is not None


def test_extract_replaces_an_unreadable_template(
        site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    site.write(POT, 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=nonsense\\n"\n')
    result = i18n_run(site, "extract")
    assert result.code == 0, result.err
    assert read(site.root / POT).get("Breaking news") is not None


def test_extract_dates_the_template_with_source_date_epoch(
        site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    assert i18n_run(site, "extract").code == 0
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    assert i18n_run(site, "extract").code == 0
    assert '"POT-Creation-Date: 2026-01-01 00:00+0000\\n"' in (site.root / POT).read_text("utf-8")


def test_a_site_template_hides_the_bundled_one_of_its_name(make_site: Callable[..., Site]) -> None:
    site = make_site({"themes/default/templates/base.html": '{{ _("Our own header") }}\n'})
    assert i18n_run(site, "extract").code == 0
    catalog = read(site.root / POT)
    assert catalog["Our own header"].locations == [("themes/default/templates/base.html", 1)]
    assert catalog.get("Skip to content") is None  # only the bundled base.html says it
    assert catalog.get("Newer") is not None  # list.html is still the bundled one


def test_a_theme_of_the_sites_own_is_all_there_is(make_site: Callable[..., Site]) -> None:
    site = make_site({"themes/mine/templates/base.html": '{{ _("Mine") }}\n'},
                     config=CONFIG.replace('theme = "default"', 'theme = "mine"'))
    assert i18n_run(site, "extract").code == 0
    ids = {(m.context, m.id) for m in read(site.root / POT) if m.id}
    # sitegen's own strings: the footnote back-link, the tag and author folders of URLs, and
    # the quotation marks bodies are set with
    assert ids == {(None, "Mine"), (None, BACKLINK), ("URL", "tags"), ("URL", "authors"),
                   ("URL", "search"), *(("quotation marks", mark) for mark in "“”‘’")}


def test_extract_with_a_missing_theme(make_site: Callable[..., Site]) -> None:
    site = make_site({}, config=CONFIG.replace('theme = "default"', 'theme = "nope"'))
    result = i18n_run(site, "extract")
    assert result.code == 1
    assert "theme 'nope' not found" in result.err
    assert not (site.root / POT).exists()


def test_a_template_syntax_error_names_its_line_and_writes_nothing(site: Site) -> None:
    assert i18n_run(site, "extract").code == 0
    before = (site.root / POT).read_bytes()
    site.write("themes/default/templates/broken.html", '<p>\n\n{{ _("Oops" }}\n</p>\n')
    result = i18n_run(site, "extract")
    assert result.code == 1
    assert "themes/default/templates/broken.html:3: error: template syntax error:" in result.err
    assert "nothing was written" in result.err
    assert (site.root / POT).read_bytes() == before


def test_a_template_that_is_not_utf8(site: Site) -> None:
    (site.root / "themes/default/templates/latin1.html").write_bytes(b'{{ _("Se\xf1al") }}\n')
    result = i18n_run(site, "extract")
    assert result.code == 1
    assert "themes/default/templates/latin1.html: error: not UTF-8 text" in result.err


def test_a_template_with_no_strings_adds_none(make_site: Callable[..., Site]) -> None:
    site = make_site({"themes/default/templates/plain.html": "<p>{{ title }}</p>\n"})
    assert i18n_run(site, "extract").code == 0
    assert all(path != "themes/default/templates/plain.html"
               for m in read(site.root / POT) for path, _ in m.locations)


# init ------------------------------------------------------------------------------------------

def test_init_creates_a_spanish_catalog_with_babels_plural_forms(site: Site) -> None:
    result = i18n_run(site, "init", "es")
    assert result.code == 0, result.err
    assert (site.root / POT).is_file()  # extracted first
    assert f"wrote {ES} (3 plural forms)" in result.out
    po = site.root / ES
    catalog = read(po)
    assert str(catalog.locale) == "es"
    assert get_plural("es").num_plurals == 3  # what Babel's locale data says, not a guess
    assert catalog.num_plurals == 3
    assert catalog.plural_forms == get_plural("es").plural_forms
    assert not catalog.fuzzy
    text = po.read_text("utf-8")
    assert text.startswith("# Spanish translations for the interface of a sitegen site.")
    assert '"PO-Revision-Date: 2025-01-01 00:00+0000\\n"' in text
    assert 'msgid "Breaking news"\nmsgstr ""' in text
    assert 'msgid_plural "%(num)s updates"\nmsgstr[0] ""\nmsgstr[1] ""\nmsgstr[2] ""' in text


def test_init_refuses_a_second_time_and_keeps_the_catalog(site: Site) -> None:
    assert i18n_run(site, "init", "es").code == 0
    po = site.root / ES
    edit(po, {"Breaking news": "Última hora"})
    before = po.read_bytes()
    result = i18n_run(site, "init", "es")
    assert result.code == 1
    assert f"{ES}: error: already exists" in result.err
    assert po.read_bytes() == before


def test_init_a_third_language(make_site: Callable[..., Site]) -> None:
    site = make_site({}, config=with_languages("en", "es", "fr"))
    result = i18n_run(site, "init", "fr")
    assert result.code == 0, result.err
    catalog = read(site.root / "locales/fr/LC_MESSAGES/messages.po")
    assert catalog.plural_forms == get_plural("fr").plural_forms
    assert not (site.root / ES).exists()


def test_init_uses_the_configured_locale(make_site: Callable[..., Site]) -> None:
    site = make_site({}, config=CONFIG + 'locale = "es_MX"\n')  # into [languages.es]
    assert i18n_run(site, "init", "es").code == 0
    assert str(read(site.root / ES).locale) == "es_MX"


@pytest.mark.parametrize(("args", "message"), [
    (("init",), "sitegen i18n init: error: which language?"),
    (("init", "fr"), "sitegen.toml: error: language 'fr' is not one of the configured languages"),
    (("init", "xx-nope"), "language 'xx-nope' is not one of the configured languages"),
    (("extract", "es"), "sitegen i18n extract: error: LANG ('es') is only for init"),
    (("compile", "es"), "LANG ('es') is only for init"),
])
def test_bad_arguments(site: Site, args: tuple[str, ...], message: str) -> None:
    result = i18n_run(site, *args)
    assert result.code == 1
    assert message in result.err
    assert not (site.root / "locales").exists()


def test_an_unknown_action_and_a_bad_configuration(site: Site) -> None:
    with pytest.raises(BuildFailed, match="unknown action 'translate'"):
        i18n.run(site.root, "translate", None, announce=print)
    assert i18n_run(site, "frobnicate").code == 2  # argparse's choices
    site.write("sitegen.toml", "[site]\nlanguages = 'es'\n")
    result = i18n_run(site, "extract")
    assert result.code == 1 and "sitegen.toml:2: error:" in result.err


# update ----------------------------------------------------------------------------------------

def test_update_keeps_translations_and_adds_new_strings(site: Site) -> None:
    assert i18n_run(site, "init", "es").code == 0
    po = site.root / ES
    edit(po, {"Breaking news": "Última hora", "Live": "En directo"})
    site.write("themes/default/templates/more.html", '{{ _("Weather") }}\n')
    site.write("themes/default/templates/extra.html", EXTRA.replace("Live", "Live now"))
    assert i18n_run(site, "extract").code == 0

    result = i18n_run(site, "update")
    assert result.code == 0, result.err
    assert f"updated {ES}" in result.out
    catalog = read(po)
    assert catalog["Breaking news"].string == "Última hora"
    assert not catalog["Breaking news"].fuzzy
    assert catalog["Weather"].string == ""
    changed = catalog["Live now"]  # Babel's fuzzy matching carries the old translation over
    assert changed.fuzzy and changed.string == "En directo"
    assert catalog.get("Live") is None
    assert catalog.num_plurals == 3


def test_update_twice_changes_nothing(site: Site) -> None:
    assert i18n_run(site, "init", "es").code == 0
    assert i18n_run(site, "update").code == 0
    before = (site.root / ES).read_bytes()
    result = i18n_run(site, "update")
    assert result.code == 0 and f"unchanged: {ES}" in result.out
    assert (site.root / ES).read_bytes() == before


def test_update_extracts_first_when_there_is_no_template(site: Site) -> None:
    assert i18n_run(site, "init", "es").code == 0
    (site.root / POT).unlink()
    site.write("themes/default/templates/more.html", '{{ _("Weather") }}\n')
    result = i18n_run(site, "update")
    assert result.code == 0, result.err
    assert f"wrote {POT}" in result.out
    assert read(site.root / ES)["Weather"].string == ""


def test_update_creates_no_catalog(site: Site) -> None:
    result = i18n_run(site, "update")
    assert result.code == 0
    assert "no catalogs in locales/" in result.out
    assert not (site.root / "locales").exists()


def test_update_with_a_broken_catalog_writes_none(make_site: Callable[..., Site]) -> None:
    site = make_site({}, config=with_languages("en", "es", "fr"))
    assert i18n_run(site, "init", "es").code == 0
    assert i18n_run(site, "init", "fr").code == 0
    fr = site.root / "locales/fr/LC_MESSAGES/messages.po"
    before = fr.read_bytes()
    po = site.root / ES
    text = po.read_text("utf-8") + "\nthis is not a po line\n"
    po.write_text(text, "utf-8")
    site.write("themes/default/templates/more.html", '{{ _("Weather") }}\n')
    assert i18n_run(site, "extract").code == 0

    result = i18n_run(site, "update")
    assert result.code == 1
    line = len(text.splitlines())
    assert (f"{ES}:{line}: error: invalid catalog: Unknown or misformatted keyword"
            in result.err)
    assert fr.read_bytes() == before  # every catalog is read before any is written
    assert po.read_text("utf-8") == text


def test_a_broken_template_file_is_reported_by_update(site: Site) -> None:
    assert i18n_run(site, "init", "es").code == 0
    (site.root / POT).write_text('msgid "x"\nmsgstr "y"\nnonsense\n', "utf-8")
    result = i18n_run(site, "update")
    assert result.code == 1
    assert f"{POT}:3: error: invalid catalog" in result.err


# compile ---------------------------------------------------------------------------------------

def test_compile_writes_a_mo_that_gettext_reads(site: Site) -> None:
    assert i18n_run(site, "init", "es").code == 0
    po = site.root / ES
    edit(po, {"Breaking news": "Última hora", "Live": "En directo",
              ("%(num)s update", "%(num)s updates"): ("%(num)s novedad", "%(num)s novedades",
                                                      "%(num)s novedades")},
         fuzzy=("Live",))
    result = i18n_run(site, "compile")
    assert result.code == 0, result.err
    mo = site.root / "locales/es/LC_MESSAGES/messages.mo"
    assert "compiled locales/es/LC_MESSAGES/messages.mo" in result.out
    with mo.open("rb") as fp:
        translations = gettext.GNUTranslations(fp)
    assert translations.gettext("Breaking news") == "Última hora"
    assert translations.gettext("Live") == "Live"  # fuzzy: not compiled
    assert translations.gettext("Weather") == "Weather"
    assert translations.ngettext("%(num)s update", "%(num)s updates", 1) == "%(num)s novedad"
    assert translations.ngettext("%(num)s update", "%(num)s updates", 4) == "%(num)s novedades"

    before = mo.read_bytes()
    again = i18n_run(site, "compile")
    assert "unchanged: locales/es/LC_MESSAGES/messages.mo" in again.out
    assert mo.read_bytes() == before


def test_compile_a_broken_catalog(site: Site) -> None:
    assert i18n_run(site, "init", "es").code == 0
    po = site.root / ES
    lines = po.read_text("utf-8").splitlines(keepends=True)
    number = line_of("".join(lines), 'msgid "Breaking news"')
    lines.insert(number, "this is not a po line\n")
    po.write_text("".join(lines), "utf-8")
    result = i18n_run(site, "compile")
    assert result.code == 1
    assert f"{ES}:{number + 1}: error: invalid catalog:" in result.err
    assert "sitegen: 1 error; nothing was written" in result.err
    assert not po.with_suffix(".mo").exists()


def test_compile_a_catalog_that_is_not_in_its_charset(site: Site) -> None:
    assert i18n_run(site, "init", "es").code == 0
    po = site.root / ES
    data = po.read_bytes().replace(b'msgid "Newer"\nmsgstr ""', b'msgid "Newer"\nmsgstr "M\xe1s"')
    po.write_bytes(data)
    result = i18n_run(site, "compile")
    assert result.code == 1
    number = line_of(data.decode("latin-1"), 'msgstr "M')
    assert f"{ES}:{number}: error: invalid catalog: not in its charset" in result.err


def test_compile_a_catalog_with_an_unknown_charset(site: Site) -> None:
    site.write(ES, 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=nonsense\\n"\n')
    result = i18n_run(site, "compile")
    assert result.code == 1
    assert f"{ES}: error: invalid catalog: unknown encoding: nonsense" in result.err


def test_compile_a_translation_with_a_wrong_placeholder(site: Site) -> None:
    assert i18n_run(site, "init", "es").code == 0
    po = site.root / ES
    edit(po, {"page %(number)s": "página %(numero)s"})
    result = i18n_run(site, "compile")
    assert result.code == 1
    number = line_of(po.read_text("utf-8"), 'msgid "page %(number)s"')
    assert f"{ES}:{number}: error: unknown named placeholder 'numero'" in result.err
    assert not po.with_suffix(".mo").exists()


def test_compile_with_no_catalogs(site: Site) -> None:
    result = i18n_run(site, "compile")
    assert result.code == 0 and "no catalogs in locales/" in result.out


# untranslated ----------------------------------------------------------------------------------

def warning(path: str, line: int | None, text: str, lang: str = "es") -> Diagnostic:
    return Diagnostic(path, line, "warning", f'no {lang!r} translation for UI string "{text}"')


def test_untranslated_reports_a_new_template_string(site: Site) -> None:
    config = site_config.load(site.root)
    expected = [warning(BUNDLED_ES, None, text) for text in
                ("%(num)s update", "Breaking news", "Live", "One reader")]
    assert sorted(i18n.untranslated(config)) == expected
    assert not (site.root / "locales").exists()  # nothing written


def test_untranslated_in_the_sites_own_catalog(site: Site) -> None:
    assert i18n_run(site, "init", "es").code == 0
    po = site.root / ES
    edit(po, {"Breaking news": "Última hora", "Live": "En directo",
              ("One reader", "%(count)s readers"): ("Un lector", "%(count)s lectores",
                                                    "%(count)s lectores"),
              ("%(num)s update", "%(num)s updates"): ("%(num)s novedad", "", "")},
         fuzzy=("Live",))
    config = site_config.load(site.root)
    text = po.read_text("utf-8")
    # The bundled catalog still translates the bundled templates' strings.
    assert sorted(i18n.untranslated(config)) == [
        warning(ES, line_of(text, 'msgid "%(num)s update"'), "%(num)s update"),  # a form empty
        warning(ES, line_of(text, 'msgid "Live"'), "Live"),  # fuzzy
    ]
    edit(po, {"Live": "En directo", ("%(num)s update", "%(num)s updates"): (
        "%(num)s novedad", "%(num)s novedades", "%(num)s novedades")})
    assert i18n.untranslated(config) == []


def test_untranslated_skips_english_and_reports_a_language_without_catalog(
        make_site: Callable[..., Site]) -> None:
    site = make_site({}, config=with_languages("en", "en-GB", "fr"))
    config = site_config.load(site.root)
    assert i18n.untranslated(config) == [Diagnostic(
        "locales/fr/LC_MESSAGES/messages.po", None, "warning",
        "no 'fr' catalog: the 'fr' pages show every UI string in English; start one with "
        "`sitegen i18n init fr`")]


def test_untranslated_reports_a_broken_catalog_or_template(site: Site) -> None:
    po = site.write(ES, 'msgid "Newer"\nmsgstr "Más recientes"\ngarbage\n')
    config = site_config.load(site.root)
    assert i18n.untranslated(config) == [
        Diagnostic(ES, 3, "error", "invalid catalog: Unknown or misformatted keyword")]
    po.unlink()
    site.write("themes/default/templates/broken.html", "{% trans %}\n")
    [problem] = i18n.untranslated(config)
    assert problem.severity == "error"
    assert problem.path == "themes/default/templates/broken.html"


def test_the_example_sites_catalog_translates_every_ui_string() -> None:
    assert i18n.untranslated(site_config.load(REPO)) == []


def test_the_example_sites_template_lists_every_ui_string() -> None:
    """`sitegen i18n extract` at the repository's top level has been run since the last change."""
    extracted = {m.id for m in i18n.template(site_config.load(REPO)) if m.id}
    assert {m.id for m in read(REPO / POT) if m.id} == extracted


def test_a_label_looked_up_once_is_still_escaped_by_what_its_values_are() -> None:
    """Templates' labels are kept per language and values: a value's type decides its
    escaping, so Markup("<b>") and "<b>" are two labels."""
    import jinja2
    from markupsafe import Markup

    from sitegen.render import _remembered

    env = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.globals["_"] = _remembered(env.globals["gettext"])  # type: ignore[arg-type]
    label = env.from_string('{{ _("Read %(name)s & more", name=name) }} {{ _("100%%") }}')
    assert label.render(name="<b>") == "Read &lt;b&gt; & more 100%"
    assert label.render(name=Markup("<b>")) == "Read <b> & more 100%"
    assert label.render(name="<b>") == "Read &lt;b&gt; & more 100%"
    assert env.from_string('{{ _("Tags: %(t)s", t=tags) }}').render(tags=["a"]) == \
        "Tags: [&#39;a&#39;]"  # a value that cannot be kept is looked up each time
