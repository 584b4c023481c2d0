"""Images on real sites (SPEC 6.5): what every `<img>`, `og:image` and JSON-LD image of a built
site points to, checked by opening the files; errors at the line that uses an image; and the
files made once, kept, and the same on every build."""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CONFIG, Site, Tags, article, config_with, line_of, local_file, meta, tree
from PIL import Image
from test_images import assert_no_metadata, camera_jpeg, encoded, scene

from sitegen import images

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>\n'

WITH_IMAGES = config_with(default_image='"/images/card.png"', logo='"/images/logo.png"')


def photo_site(make_site: Callable[..., Site], config: str = WITH_IMAGES) -> Site:
    """A camera JPEG with GPS beside its story, a portrait PNG and a small photo in the body,
    an SVG lead, a story without an image, captions and credits in both languages."""
    site = make_site({
        "content/world/storm.en.md": article(
            "Storm Hits the Coast", translation_key="storm", image="camera.jpg",
            image_alt="Waves over the sea wall", image_caption="The sea wall at dawn.",
            image_credit="Ana Pérez / Island Post", image_focus="[0.5, 0.4]",
            body="Intro.\n\n![A portrait of the mayor](/images/portrait.png \"The mayor on "
                 "Monday.\")\n\nText ![small](small.jpg) more.\n"),
        "content/world/tormenta.es.md": article(
            "La tormenta llega a la costa", translation_key="storm", image="camera.jpg",
            image_alt="Olas sobre el malecón", image_caption="El malecón al amanecer.",
            image_credit="Ana Pérez / Island Post"),
        "content/world/chart.en.md": article("A Chart", image="/images/chart.svg",
                                             image_alt="A chart"),
        "content/world/plain.en.md": article("No Picture"),
    }, config=config)
    (site.root / "content/world/camera.jpg").write_bytes(camera_jpeg())
    (site.root / "content/world/small.jpg").write_bytes(encoded(scene((320, 200)), "JPEG"))
    static = site.root / "static/images"
    static.mkdir(parents=True)
    (static / "portrait.png").write_bytes(encoded(scene((900, 1400)), "PNG"))
    (static / "chart.svg").write_text(SVG)
    (static / "card.png").write_bytes(encoded(scene((1600, 900)), "PNG"))
    (static / "logo.png").write_bytes(encoded(scene((400, 100)), "PNG"))
    return site


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """One build of the photo site, shared by the tests that only read it."""
    from conftest import Result

    from sitegen.cli import main

    root = tmp_path_factory.mktemp("photos")

    def runner(*args: str) -> Result:
        return Result(main([str(a) for a in args]), "", "")

    def make(files: dict[str, str], config: str = CONFIG) -> Site:
        site = Site(root / "site", runner)
        site.write("sitegen.toml", config)
        for rel, text in files.items():
            site.write(rel, text)
        return site

    site = photo_site(make)
    assert site.build().code == 0
    return site


def page(site: Site, path: str) -> str:
    return site.read(path + "index.html")


def opened(path: Path) -> Image.Image:
    image = Image.open(path)
    image.load()
    return image


def images_of(html: str) -> list[dict[str, str | None]]:
    return Tags(html).find("img")


def test_every_raster_img_has_its_size_and_a_srcset_of_real_files(built: Site) -> None:
    story = page(built, "en/world/storm-hits-the-coast/").split("</article>")[0]
    found = images_of(story)  # the story's own, not its related stories' pictures
    assert len(found) == 3  # the lead, the portrait and the small photo
    for img in found:
        assert img["width"] and img["height"], img
        src = opened(local_file(built.public, img["src"] or ""))
        assert (src.width, src.height) == (int(img["width"] or 0), int(img["height"] or 0))
        for candidate in (img["srcset"] or "").split(", "):
            href, width = candidate.split(" ")
            file = local_file(built.public, href)
            assert opened(file).width == int(width.removesuffix("w"))
            assert_no_metadata(file.read_bytes())
            assert file.suffix == ".webp"
        assert img["sizes"]


def test_the_camera_photo_is_upright_resized_and_never_upscaled(built: Site) -> None:
    lead = images_of(page(built, "en/world/storm-hits-the-coast/"))[0]
    widths = [int(c.split(" ")[1][:-1]) for c in (lead["srcset"] or "").split(", ")]
    assert widths == [480, 800, 1200, 1600]
    # Stored 3000×2000 with orientation 6: shown 2000 wide and 3000 high.
    assert int(lead["height"] or 0) * 2 == int(lead["width"] or 0) * 3
    small = images_of(page(built, "en/world/storm-hits-the-coast/"))[2]
    assert small["srcset"] and small["srcset"].endswith(" 320w")
    assert (small["width"], small["height"]) == ("320", "200")


def test_only_the_lead_is_eager(built: Site) -> None:
    lead, *others = images_of(page(built, "en/world/storm-hits-the-coast/"))
    assert lead["fetchpriority"] == "high" and "loading" not in lead
    for img in others:
        assert img["loading"] == "lazy" and img["decoding"] == "async"
    front = images_of(page(built, "en/"))  # the lead story's photo is eager, the rest wait
    assert [img.get("fetchpriority") for img in front].count("high") <= 1
    assert all(img.get("loading") == "lazy" for img in front[1:])


def test_no_published_file_made_from_a_photo_carries_its_metadata(built: Site) -> None:
    made = [p for p in (built.public / "assets/images").iterdir()]
    assert made and all(p.suffix in (".webp", ".jpg") for p in made)
    for file in made:
        assert_no_metadata(file.read_bytes())
    assert not list(built.public.rglob("camera.jpg"))  # content/'s originals stay unpublished


def test_captions_and_credits_in_each_language(built: Site) -> None:
    english = page(built, "en/world/storm-hits-the-coast/")
    spanish = page(built, "es/world/la-tormenta-llega-a-la-costa/")
    caption = re.search(r'<figure class="story__image"[^>]*>.*?<figcaption>(.*?)</figcaption>',
                        english, re.DOTALL)
    assert caption and "The sea wall at dawn." in caption.group(1)
    assert "Photo: Ana Pérez / Island Post" in caption.group(1)
    assert "Foto: Ana Pérez / Island Post" in spanish and "El malecón al amanecer." in spanish
    # A body image with a title is a figure with the title as its caption.
    figure = re.search(r'<figure class="story__figure"><img ([^>]*)><figcaption>(.*?)'
                       r'</figcaption></figure>', english)
    assert figure and figure.group(2) == "The mayor on Monday."
    assert "title=" not in figure.group(1)


def test_social_card_is_a_1200_by_630_jpeg_and_the_jsonld_has_three_crops(built: Site) -> None:
    story = page(built, "en/world/storm-hits-the-coast/")
    [card] = meta(story, "og:image")
    assert meta(story, "twitter:image") == [card]
    image = opened(local_file(built.public, card.removeprefix("https://example.org")))
    assert (image.format, image.size) == ("JPEG", (1200, 630))
    assert_no_metadata(local_file(built.public, card.removeprefix("https://example.org"))
                       .read_bytes())
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>',
                                story, re.DOTALL).group(1))  # type: ignore[union-attr]
    ratios = []
    for item in data["image"]:
        crop = opened(local_file(built.public, item["url"].removeprefix("https://example.org")))
        assert crop.size == (item["width"], item["height"])
        ratios.append(round(crop.width / crop.height, 2))
    assert ratios == [round(16 / 9, 2), round(4 / 3, 2), 1.0]
    logo = data["publisher"]["logo"]
    assert opened(local_file(built.public, logo["url"].removeprefix("https://example.org"))
                  ).size == (logo["width"], logo["height"])


def test_an_svg_is_copied_and_never_the_social_image(built: Site) -> None:
    chart = page(built, "en/world/a-chart/")
    assert images_of(chart)[0]["src"] == "/images/chart.svg"
    assert (built.public / "images/chart.svg").read_text() == SVG
    [card] = meta(chart, "og:image")  # the site's default image stands in
    assert card.endswith(".jpg") and "/1200x630." in card
    assert meta(page(built, "en/world/no-picture/"), "og:image") == [card]


def test_the_focal_point_stays_in_every_crop(make_site: Callable[..., Site]) -> None:
    picture = Image.new("RGB", (3000, 1000), (0, 0, 255))
    picture.paste((255, 0, 0), (2800, 400, 3000, 600))  # red near the right edge
    site = make_site({"content/a.en.md": article("Focus", image="wide.png",
                                                 image_focus="[0.96, 0.5]")})
    (site.root / "content/wide.png").write_bytes(encoded(picture, "PNG"))
    assert site.build().code == 0
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>',
                                page(site, "en/focus/"), re.DOTALL).group(1))  # type: ignore[union-attr]
    for item in data["image"]:
        crop = opened(local_file(site.public, item["url"].removeprefix("https://example.org")))
        red = crop.convert("RGB").getpixel((crop.width - 20, crop.height // 2))
        assert red[0] > 200 and red[2] < 60, item


def test_two_builds_write_the_same_bytes(make_site: Callable[..., Site], tmp_path: Path) -> None:
    site = photo_site(make_site)
    assert site.build("--no-cache").code == 0
    first = tree(site.public)
    assert site.build("-o", str(tmp_path / "again")).code == 0
    assert tree(tmp_path / "again") == first


def test_a_no_change_or_text_only_build_makes_no_image(make_site: Callable[..., Site],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    site = photo_site(make_site)
    made: list[str] = []
    real = images.make

    def counting(data: bytes, name: str, specs: list[images.Spec],
                 settings: images.ImageSettings = images.DEFAULT) -> list[bytes]:
        made.append(name)
        return real(data, name, specs, settings)

    monkeypatch.setattr(images, "make", counting)
    assert site.build("-j", "1").code == 0
    assert sorted(made) == ["camera.jpg", "card.png", "logo.png", "portrait.png", "small.jpg"]
    made.clear()
    assert site.build("-j", "1").code == 0
    story = site.root / "content/world/storm.en.md"
    story.write_text(story.read_text().replace("Intro.", "A new first line."))
    assert site.build("-j", "1").code == 0
    assert "A new first line." in page(site, "en/world/storm-hits-the-coast/")
    assert made == []
    # With the output gone, the files come from the cache folder, not from the photos.
    shutil.rmtree(site.public)
    assert site.build("-j", "1").code == 0
    assert made == []
    assert images_of(page(site, "en/world/storm-hits-the-coast/"))[0]["srcset"]


# Bad images ------------------------------------------------------------------------------------

def test_a_corrupt_a_missing_and_a_bomb_image_are_named_together(
        make_site: Callable[..., Site]) -> None:
    site = photo_site(make_site)
    assert site.build().code == 0
    before = tree(site.public)
    text = article("Broken", image="corrupt.jpg",
                   body="Intro.\n\n![gone](/images/gone.png)\n\n![huge](bomb.png)\n")
    site.write("content/world/broken.en.md", text)
    good = camera_jpeg()
    (site.root / "content/world/corrupt.jpg").write_bytes(good[: len(good) // 3])
    bomb = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(bomb, "PNG")  # 60 megapixels in a small file
    (site.root / "content/world/bomb.png").write_bytes(bomb.getvalue())
    result = site.build()
    assert result.code != 0
    name = "content/world/broken.en.md"
    assert f"{name}:{line_of(text, 'image:')}: error: image 'corrupt.jpg'" in result.err
    assert "damaged" in result.err
    assert (f"{name}:{line_of(text, 'gone.png')}: error: image '/images/gone.png' not found"
            in result.err)
    assert f"{name}:{line_of(text, 'bomb.png')}: error: image 'bomb.png'" in result.err
    assert "60 megapixels" in result.err
    assert tree(site.public) == before
    check = site.runner("check", "-s", str(site.root))
    for line in result.err.splitlines():
        if ": error: " in line:
            assert line.split("sitegen: ")[-1] in check.out


def test_an_unsupported_format_and_a_path_outside_content(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/a.en.md": article("A", image="scan.tif",
                                                 body="![x](../../etc/passwd.png)\n")})
    Image.new("RGB", (10, 10)).save(site.root / "content/scan.tif")
    result = site.build()
    assert result.code != 0
    assert "is a TIFF image" in result.err
    assert "is outside content/" in result.err


def test_an_inherited_image_is_reported_at_the_line_of_its_original(
        make_site: Callable[..., Site]) -> None:
    original = article("Original", translation_key="k", image="missing.jpg",
                       image_credit="Staff")
    site = make_site({"content/world/original.en.md": original,
                      "content/americas/traduccion.es.md": article("Traducción", date=None,
                                                           translation_key="k")})
    result = site.build()
    assert result.code != 0
    assert (f"content/world/original.en.md:{line_of(original, 'image:')}: error: image "
            "'missing.jpg' not found") in result.err
    assert "traduccion" not in result.err


def test_a_translation_takes_the_image_with_its_credit(make_site: Callable[..., Site]) -> None:
    site = make_site({
        "content/world/original.en.md": article("Original", translation_key="k", image="p.jpg",
                                            image_credit="Ana"),
        "content/americas/traduccion.es.md": article("Traducción", translation_key="k",
                                              image_alt="Una foto"),
    })
    (site.root / "content/world/p.jpg").write_bytes(encoded(scene((600, 400)), "JPEG"))
    assert site.build().code == 0
    spanish = page(site, "es/americas/traduccion/")
    assert "Foto: Ana" in spanish
    assert images_of(spanish)[0]["srcset"] == images_of(page(site, "en/world/original/"))[0]["srcset"]


def test_file_names_are_safe_in_any_url(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/a.en.md": article("A", image="Foto%20Caf%C3%A9%201.JPG")})
    (site.root / "content/Foto Café 1.JPG").write_bytes(encoded(scene((500, 300)), "JPEG"))
    assert site.build().code == 0
    src = images_of(page(site, "en/a/"))[0]["src"] or ""
    assert re.fullmatch(r"/assets/images/foto-cafe-1-480\.[0-9a-f]{10}\.webp", src), src


def test_a_default_image_that_is_an_svg_is_refused(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/a.en.md": article("A")},
                     config=config_with(default_image='"/images/chart.svg"'))
    site.write("static/images/chart.svg", SVG)
    result = site.build()
    assert result.code != 0
    assert "sitegen.toml:" in result.err and "default_image" in result.err and "SVG" in result.err


def test_a_placeholder_gif_with_no_picture_is_a_blank_image(
        make_site: Callable[..., Site]) -> None:
    site = make_site({"content/a.en.md": article("A", image="/images/blank.jpg")})
    site.write("static/images/blank.jpg", "")
    (site.root / "static/images/blank.jpg").write_bytes(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")
    assert site.build().code == 0
    lead = images_of(page(site, "en/a/"))[0]
    assert (lead["width"], lead["height"]) == ("1", "1")


def test_made_files_are_kept_in_the_cache_folder(make_site: Callable[..., Site]) -> None:
    site = photo_site(make_site)
    assert site.build().code == 0
    kept = list((site.root / ".sitegen-cache/images").iterdir())
    made = list((site.public / "assets/images").iterdir())
    assert sorted(p.stat().st_size for p in kept) == sorted(p.stat().st_size for p in made)


def test_check_warns_of_a_located_photo_that_static_publishes_as_it_is(
        make_site: Callable[..., Site]) -> None:
    site = make_site({"content/a.en.md": article("A", image="/images/camera.jpg"),
                      "content/b.en.md": article("B", image="/images/clean.jpg")})
    site.write("static/images/camera.jpg", camera_jpeg())
    site.write("static/images/clean.jpg", encoded(scene((300, 200)), "JPEG"))
    result = site.runner("check", "-s", str(site.root))
    assert "static/images/camera.jpg: warning: this photo's metadata gives the GPS position" \
        in result.out
    assert "clean.jpg" not in result.out


def test_a_relative_reference_is_beside_the_article_or_else_in_static(
        make_site: Callable[..., Site]) -> None:
    site = make_site({"content/world/a.en.md": article("A", image="images/beside.jpg"),
                      "content/world/b.en.md": article("B", image="images/shared.jpg"),
                      "content/world/images/beside.jpg": encoded(scene((500, 300)), "JPEG"),
                      "static/images/shared.jpg": encoded(scene((600, 300)), "JPEG")})
    assert site.build().code == 0
    assert "/beside-480." in (images_of(page(site, "en/world/a/"))[0]["src"] or "")
    assert "/shared-480." in (images_of(page(site, "en/world/b/"))[0]["src"] or "")
    site.write("content/world/c.en.md", article("C", image="images/nowhere.jpg"))
    result = site.build()
    assert ("image 'images/nowhere.jpg' not found: there is no content/world/images/nowhere.jpg"
            " or static/images/nowhere.jpg") in result.err
