"""The imaging module on real images made with Pillow: sizes, orientation, metadata, bad
input, bombs, crops and deterministic bytes."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageChops, ImageCms, ImageDraw

from sitegen import images
from sitegen.images import (
    Derivative,
    ImageProblem,
    ImageSettings,
    SourceImage,
    UnusableImage,
    crop,
    crop_box,
    derivatives,
    inspect,
)

RED = (255, 0, 0)


def scene(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A photo-like picture with detail in it (a gradient and shapes), so encoders work."""
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (gradient, gradient.rotate(90), gradient.transpose(
        Image.Transpose.FLIP_LEFT_RIGHT).resize(size)))
    draw = ImageDraw.Draw(image)
    for step in range(0, min(size), max(1, min(size) // 12)):
        draw.ellipse((step, step // 2, step + size[0] // 5, step + size[1] // 7),
                     outline=(step % 255, 80, 200), width=3)
    return image.convert(mode)


def encoded(image: Image.Image, format: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format, **options)
    return out.getvalue()


def camera_jpeg() -> bytes:
    """A 3000×2000 camera JPEG stored sideways (orientation 6) with GPS coordinates, and a
    red block at its stored top-left corner."""
    image = scene((3000, 2000))
    ImageDraw.Draw(image).rectangle((0, 0, 299, 299), fill=RED)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "NewsCam"
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (23.0, 8.0, 12.0),
        ExifTags.GPS.GPSLongitudeRef: "W", ExifTags.GPS.GPSLongitude: (82.0, 21.0, 30.0),
    }
    return encoded(image, "JPEG", quality=90, exif=exif.tobytes())


@pytest.fixture(scope="module")
def camera() -> bytes:
    return camera_jpeg()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def assert_no_metadata(data: bytes) -> None:
    image = opened(data)
    assert len(image.getexif()) == 0
    assert "exif" not in image.info and "xmp" not in image.info
    assert b"Exif" not in data and b"GPS" not in data and b"NewsCam" not in data
    assert b"XMP" not in data and b"ICCP" not in data


def test_the_camera_jpeg_really_carries_gps_and_orientation(camera: bytes) -> None:
    exif = opened(camera).getexif()
    assert exif[ExifTags.Base.Orientation] == 6
    assert exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert b"Exif" in camera and b"NewsCam" in camera


def test_inspect_gives_the_size_a_reader_sees(camera: bytes) -> None:
    found = inspect(camera, "harbour.jpg")
    assert isinstance(found, SourceImage)
    assert (found.width, found.height, found.format) == (2000, 3000, "JPEG")
    assert found.name == "harbour.jpg" and len(found.digest) == 64


def test_camera_jpeg_gives_upright_webp_at_every_width_without_metadata(camera: bytes) -> None:
    made = derivatives(camera, "photos/harbour.jpg")
    assert [(d.width, d.height) for d in made] == [
        (480, 720), (800, 1200), (1200, 1800), (1600, 2400)]
    for derivative in made:
        image = opened(derivative.data)
        assert image.format == "WEBP" and image.size == (derivative.width, derivative.height)
        assert derivative.name.startswith(f"harbour-{derivative.width}.")
        assert derivative.name.endswith(".webp")
        assert_no_metadata(derivative.data)
        rgb = image.convert("RGB")
        # Stored top-left, turned a quarter clockwise: the red block is now top-right.
        near_top_right = rgb.getpixel((image.width - 3, 3))
        near_top_left = rgb.getpixel((3, 3))
        assert isinstance(near_top_right, tuple) and isinstance(near_top_left, tuple)
        assert near_top_right[0] > 200 and near_top_right[1] < 60
        assert near_top_left[:2] != near_top_right[:2]


def test_derivatives_are_the_same_bytes_every_time(camera: bytes) -> None:
    first = derivatives(camera, "harbour.jpg")
    assert derivatives(camera, "harbour.jpg") == first
    assert crop(camera, (1200, 630), 1200) == crop(camera, (1200, 630), 1200)


def test_names_change_with_the_source_and_the_settings(camera: bytes) -> None:
    small = encoded(scene((900, 600)), "JPEG")
    other = encoded(scene((900, 600)), "JPEG", quality=60)
    [first] = derivatives(small, "a.jpg", ImageSettings(widths=(800,)))
    [second] = derivatives(other, "a.jpg", ImageSettings(widths=(800,)))
    [third] = derivatives(small, "a.jpg", ImageSettings(widths=(800,), webp_quality=50))
    hashes = {d.name.split(".")[1] for d in (first, second, third)}
    assert len(hashes) == 3 and all(len(h) == 10 for h in hashes)
    assert ImageSettings().digest == ImageSettings().digest
    assert ImageSettings().digest != ImageSettings(jpeg_quality=70).digest


def test_quality_setting_is_used() -> None:
    photo = encoded(scene((800, 600)), "PNG")
    [low] = derivatives(photo, "p.png", ImageSettings(widths=(800,), webp_quality=20))
    [high] = derivatives(photo, "p.png", ImageSettings(widths=(800,), webp_quality=95))
    assert len(low.data) < len(high.data)


def test_portrait_png_keeps_its_transparency() -> None:
    image = scene((1000, 1500), "RGBA")
    ImageDraw.Draw(image).rectangle((0, 0, 999, 299), fill=(0, 0, 0, 0))
    made = derivatives(encoded(image, "PNG"), "portrait.png")
    assert [(d.width, d.height) for d in made] == [(480, 720), (800, 1200)]
    for derivative in made:
        webp = opened(derivative.data)
        assert webp.mode == "RGBA"
        alpha = webp.getchannel("A")
        assert alpha.getpixel((5, 5)) == 0 and alpha.getpixel((5, webp.height - 5)) == 255
        assert_no_metadata(derivative.data)


@pytest.mark.parametrize("mode", ["P", "LA"])
def test_palette_and_grey_transparency_keep_alpha(mode: str) -> None:
    image = scene((600, 400), "RGBA")
    ImageDraw.Draw(image).rectangle((0, 0, 99, 99), fill=(0, 0, 0, 0))
    source = image.convert("LA") if mode == "LA" else image.convert(
        "RGB").quantize(64)
    options: dict[str, object] = {}
    if mode == "P":
        ImageDraw.Draw(source).rectangle((0, 0, 99, 99), fill=63)
        options["transparency"] = 63
    [made] = derivatives(encoded(source, "PNG", **options), "logo.png")
    webp = opened(made.data)
    assert (made.width, made.height, webp.mode) == (480, 320, "RGBA")
    assert webp.getchannel("A").getpixel((10, 10)) == 0
    assert webp.getchannel("A").getpixel((400, 240)) == 255


def test_a_small_photo_gives_one_file_at_its_own_width() -> None:
    made = derivatives(encoded(scene((300, 200)), "JPEG"), "thumb.jpg")
    assert [(d.width, d.height) for d in made] == [(300, 200)]
    assert opened(made[0].data).size == (300, 200)
    assert isinstance(made[0], Derivative)


def test_widths_between_the_configured_ones_are_never_upscaled() -> None:
    made = derivatives(encoded(scene((1000, 500)), "WEBP"), "wide.webp")
    assert [(d.width, d.height) for d in made] == [(480, 240), (800, 400)]


def test_cmyk_and_sixteen_bit_images_become_eight_bit_rgb() -> None:
    cmyk = encoded(scene((600, 400)).convert("CMYK"), "JPEG")
    grey16 = Image.new("I;16", (500, 300), 40000)
    for data in (cmyk, encoded(grey16, "PNG")):
        [made] = derivatives(data, "x")
        assert opened(made.data).mode == "RGB"
    [grey] = derivatives(encoded(grey16, "PNG"), "grey.png")
    value = opened(grey.data).getpixel((250, 150))
    assert isinstance(value, tuple) and 150 <= value[0] <= 160  # 40000/65535 of white


def swapped_profile() -> bytes:
    """An ICC profile like sRGB but with the red and green primaries swapped: its (255, 0, 0)
    is sRGB's green, so a conversion that happens shows."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = struct.unpack(">I", profile[128:132])[0]
    tags = {bytes(profile[at:at + 4]): at for at in range(132, 132 + 12 * count, 12)}
    red, green = tags[b"rXYZ"] + 4, tags[b"gXYZ"] + 4
    profile[red:red + 8], profile[green:green + 8] = profile[green:green + 8], profile[red:red + 8]
    profile[84:100] = bytes(16)  # no profile ID to check
    return bytes(profile)


def test_colours_are_converted_to_srgb_and_the_profile_dropped() -> None:
    red = encoded(Image.new("RGB", (400, 300), RED), "JPEG", icc_profile=swapped_profile())
    [made] = derivatives(red, "tagged.jpg")
    pixel = opened(made.data).getpixel((200, 150))
    assert isinstance(pixel, tuple) and pixel[0] < 20 and pixel[1] > 230
    assert "icc_profile" not in opened(made.data).info
    assert_no_metadata(made.data)
    card = opened(crop(red, (1, 1), 100)).getpixel((50, 50))
    assert isinstance(card, tuple) and card[1] > 230


def test_a_profile_that_is_not_rgb_is_ignored() -> None:
    lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    for profile in (lab, b"not a profile"):
        data = encoded(Image.new("RGB", (300, 200), RED), "JPEG", icc_profile=profile)
        [made] = derivatives(data, "odd.jpg")
        pixel = opened(made.data).getpixel((150, 100))
        assert isinstance(pixel, tuple) and pixel[0] > 230 and pixel[1] < 30


def test_gif_uses_its_first_frame() -> None:
    frames = [Image.new("RGB", (640, 480), colour) for colour in (RED, (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    found = inspect(out.getvalue(), "anim.gif")
    assert isinstance(found, SourceImage) and found.format == "GIF"
    [made] = derivatives(out.getvalue(), "anim.gif")
    pixel = opened(made.data).convert("RGB").getpixel((100, 100))
    assert isinstance(pixel, tuple) and pixel[0] > 200 and pixel[2] < 60


def problem(data: bytes, name: str = "photo.jpg") -> str:
    found = inspect(data, name)
    assert isinstance(found, ImageProblem), found
    assert found.name == name and str(found).startswith(name + " ")
    with pytest.raises(UnusableImage) as raised:
        derivatives(data, name)
    assert raised.value.problem == found
    return found.message


def test_unreadable_files_are_problems_with_reasons(camera: bytes) -> None:
    assert "not an image Pillow can read" in problem(b"Dear editor,\nthe photo follows.\n")
    assert "not an image Pillow can read" in problem(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 9)
    assert problem(b"") == "is empty: not an image"
    message = problem(camera[: len(camera) // 2])
    assert "damaged" in message and "truncated" in message
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    assert "is an SVG" in problem(svg, "logo.svg")
    assert "is an SVG" in problem(b'<?xml version="1.0"?>\n' + svg, "logo.svg")
    tiff = encoded(scene((50, 50)), "TIFF")
    assert problem(tiff, "scan.tif") == (
        "is a TIFF image: only JPEG, PNG, WebP and GIF images can be published — save it as "
        "JPEG (photos) or PNG (graphics)")
    bmp = encoded(scene((50, 50)), "BMP")
    assert problem(bmp, "scan.bmp").startswith("is a BMP image: ")


def test_a_damaged_png_is_found_by_inspect() -> None:
    data = bytearray(encoded(scene((400, 300)), "PNG"))
    start = data.index(b"IDAT") + 4
    data[start + 10: start + 400] = bytes(390)
    assert "damaged" in problem(bytes(data), "broken.png")


def png_claiming(width: int, height: int) -> bytes:
    """A real, valid PNG of one grey level: a few kilobytes that decode to width×height."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body))
    rows = zlib.compressobj(9)
    row = bytes(width + 1)
    pixels = b"".join(rows.compress(row) for _ in range(height)) + rows.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return png_claiming(10_000, 6_000)


def test_a_bomb_is_refused_from_its_header(bomb: bytes) -> None:
    assert len(bomb) < 200_000
    started = time.perf_counter()
    message = problem(bomb, "bomb.png")
    assert time.perf_counter() - started < 0.5  # 60 million pixels were never decoded
    assert message == ("is 60 megapixels (10000×6000): images over 50 megapixels are refused "
                       "as a safeguard — resize it")
    with pytest.raises(UnusableImage):
        crop(bomb, (1, 1), 100, name="bomb.png")


def test_the_limit_does_not_depend_on_pillows_global_setting(
        bomb: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    small = encoded(scene((400, 300)), "PNG")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    assert "60 megapixels" in problem(bomb, "bomb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    assert isinstance(inspect(small, "small.png"), SourceImage)
    assert derivatives(small, "small.png")[0].width == 400


def test_just_under_the_limit_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "MAX_PIXELS", 400 * 300)
    assert isinstance(inspect(encoded(scene((400, 300)), "PNG"), "a.png"), SourceImage)
    assert problem(encoded(scene((401, 300)), "PNG"), "b.png").startswith(
        "is 0.2 megapixels (401×300): images over 0.2 megapixels")
    monkeypatch.setattr(images, "MAX_PIXELS", 50_000_000)
    assert problem(png_claiming(10_000, 5_001), "c.png").startswith("is 50.1 megapixels")


@pytest.mark.parametrize(("ratio", "width", "height"), [
    ((1200, 630), 1200, 630), ((16, 9), 1200, 675), ((4, 3), 1200, 900), ((1, 1), 1200, 1200),
])
def test_crops_have_exact_sizes_and_no_metadata(
        camera: bytes, ratio: tuple[int, int], width: int, height: int) -> None:
    for format in ("JPEG", "WEBP"):
        data = crop(camera, ratio, width, format=format)  # type: ignore[arg-type]
        image = opened(data)
        assert (image.format, image.size, image.mode) == (format, (width, height), "RGB")
        assert_no_metadata(data)


def marked(size: tuple[int, int], marker: tuple[int, int, int, int]) -> bytes:
    image = scene(size)
    ImageDraw.Draw(image).rectangle(marker, fill=RED)
    return encoded(image, "PNG")


def red_fraction(data: bytes) -> float:
    image = opened(data).convert("RGB")
    red, green, blue = image.split()
    masks = (red.point(lambda v: 255 if v > 200 else 0), green.point(lambda v: 255 if v < 60 else 0),
             blue.point(lambda v: 255 if v < 60 else 0))
    reds = ImageChops.multiply(ImageChops.multiply(masks[0], masks[1]), masks[2])
    return reds.histogram()[255] / (image.width * image.height)


@pytest.mark.parametrize("ratio", [(1200, 630), (16, 9), (4, 3), (1, 1)])
def test_a_focal_point_near_an_edge_stays_in_the_crop(ratio: tuple[int, int]) -> None:
    # A tall picture with the subject at its very bottom-right corner.
    data = marked((1000, 2000), (900, 1900, 999, 1999))
    focus = (0.95, 0.975)
    with_focus = crop(data, ratio, 400, focus=focus)
    centred = crop(data, ratio, 400)
    assert red_fraction(with_focus) > 0.002
    assert red_fraction(centred) == 0
    left, top, right, bottom = crop_box((1000, 2000), ratio, focus)
    assert (right, bottom) == (1000, 2000) and left >= 0 and top >= 0


def test_crop_box_is_the_largest_region_centred_on_the_focus() -> None:
    assert crop_box((3000, 2000), (1, 1), (0.5, 0.5)) == (500, 0, 2500, 2000)
    assert crop_box((3000, 2000), (1, 1), (0.3, 0.5)) == (0, 0, 2000, 2000)
    assert crop_box((3000, 2000), (1, 1), (0.6, 0.9)) == (800, 0, 2800, 2000)
    assert crop_box((2000, 3000), (16, 9), (0.5, 0.2)) == (0, 38, 2000, 1163)
    assert crop_box((1200, 630), (1200, 630), (0.1, 0.1)) == (0, 0, 1200, 630)


def test_a_transparent_png_is_flattened_on_white_for_jpeg() -> None:
    image = Image.new("RGBA", (800, 800), (0, 0, 0, 0))
    data = crop(encoded(image, "PNG"), (1, 1), 200)
    pixel = opened(data).getpixel((100, 100))
    assert isinstance(pixel, tuple) and min(pixel) > 250
    webp = opened(crop(encoded(image, "PNG"), (1, 1), 200, format="WEBP"))
    assert webp.mode == "RGBA"


def test_a_small_source_is_upscaled_to_the_card_size() -> None:
    data = crop(encoded(scene((300, 200)), "JPEG"), (1200, 630), 1200)
    assert opened(data).size == (1200, 630)


def test_another_process_makes_the_same_bytes(camera: bytes, tmp_path: Path) -> None:
    """Nothing may depend on the process: hash seeds, threads or the order of work."""
    source = tmp_path / "harbour.jpg"
    source.write_bytes(camera)
    script = (
        "import hashlib, sys\n"
        "from sitegen.images import crop, derivatives\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "outputs = [d.name.encode() + d.data for d in derivatives(data, 'harbour.jpg')]\n"
        "outputs.append(crop(data, (1200, 630), 1200, focus=(0.2, 0.7)))\n"
        "print(hashlib.sha256(b''.join(outputs)).hexdigest())\n")
    here = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(here)}
    other = subprocess.run([sys.executable, "-c", script, str(source)], env=env, cwd=here,
                           capture_output=True, text=True, check=True).stdout.strip()
    outputs = [d.name.encode() + d.data for d in derivatives(camera, "harbour.jpg")]
    outputs.append(crop(camera, (1200, 630), 1200, focus=(0.2, 0.7)))
    assert other == hashlib.sha256(b"".join(outputs)).hexdigest()


def gif_with_a_frame_beyond_its_canvas() -> bytes:
    """A GIF whose screen is 10×10 but whose first frame is 100×100: Pillow enlarges it."""
    data = bytearray(encoded(Image.new("P", (100, 100), 1), "GIF"))
    data[6:10] = struct.pack("<HH", 10, 10)
    return bytes(data)


def test_a_gif_frame_beyond_its_canvas_is_held_to_the_limit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    gif = gif_with_a_frame_beyond_its_canvas()
    found = inspect(gif, "a.gif")
    assert isinstance(found, SourceImage) and (found.width, found.height) == (100, 100)
    monkeypatch.setattr(images, "MAX_PIXELS", 5000)
    assert problem(gif, "a.gif").startswith("is 0.1 megapixels (100×100): ")
    monkeypatch.setattr(images, "MAX_PIXELS", 50_000_000)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    assert "decompression-bomb guard" in problem(gif, "a.gif")


@pytest.mark.parametrize("settings", [
    {"widths": ()}, {"widths": (480, 0)}, {"webp_quality": 0}, {"jpeg_quality": 101}])
def test_settings_that_cannot_work_are_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ImageSettings(**settings)  # type: ignore[arg-type]
