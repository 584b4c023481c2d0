"""Photos as a newsroom publishes them: checked, resized to WebP, cropped for social cards.

Pure functions of the source bytes and the settings, so the build can cache their results by
those two things and run them in any worker: nothing here reads or writes files.

- `inspect` says whether an image can be published (a readable JPEG, PNG, WebP or GIF of at
  most 50 megapixels) and gives its size as a reader sees it, EXIF orientation applied.
- `derivatives` makes the WebP files offered in `srcset`, never wider than the source.
- `crop` makes the fixed-ratio previews (`og:image`, the JSON-LD crops) around a focal point.

Every output carries no metadata: a camera's EXIF holds GPS coordinates that can locate a
source or a photographer. The colours of an RGB or CMYK image with an ICC profile are
converted to sRGB and the profile is then dropped: browsers assume sRGB for untagged images,
and a profile on every derivative costs bytes and buys nothing. Pixels become 8-bit RGB, or
RGBA where the source has transparency (WebP keeps it; JPEG crops show it as white).

Outputs are byte-for-byte deterministic for a given Pillow and libwebp: same bytes and
settings, same files. A new Pillow may encode differently; `RECIPE` names what we control.
"""

from __future__ import annotations

import hashlib
import io
import math
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

from PIL import (
    GifImagePlugin,
    Image,
    ImageCms,
    ImageFile,
    ImageOps,
    JpegImagePlugin,
    PngImagePlugin,
    WebPImagePlugin,
)

from .recipe import DEFAULT, RECIPE, ImageSettings, Spec, output_widths

__all__ = ["RECIPE", "ImageSettings", "Spec", "output_widths"]

MAX_PIXELS = 50_000_000
"""Larger images are refused: decoding one takes hundreds of megabytes, and a small file that
claims a huge size (a decompression bomb) could exhaust a build machine's memory."""

_READERS: tuple[tuple[Callable[[bytes], bool], type[ImageFile.ImageFile]], ...] = (
    (lambda head: head.startswith(b"\xff\xd8\xff"), JpegImagePlugin.JpegImageFile),
    (lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"), PngImagePlugin.PngImageFile),
    (lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP", WebPImagePlugin.WebPImageFile),
    (lambda head: head[:6] in (b"GIF87a", b"GIF89a"), GifImagePlugin.GifImageFile),
)
"""The raster formats a newsroom publishes, each known by its signature. Opening through the
format's own reader, not `Image.open`, keeps our 50-megapixel limit the only size limit:
`Image.open` also applies `Image.MAX_IMAGE_PIXELS`, a process-wide setting anyone may change."""


@dataclass(frozen=True, slots=True)
class SourceImage:
    """A publishable image: its size as displayed (EXIF orientation applied)."""

    name: str
    width: int
    height: int
    format: str  # "JPEG", "PNG", "WEBP" or "GIF"
    digest: str  # sha256 of the source bytes


@dataclass(frozen=True, slots=True)
class ImageProblem:
    """Why an image cannot be published, in words for the person who put it there."""

    name: str
    message: str

    def __str__(self) -> str:
        return f"{self.name} {self.message}"


class UnusableImage(Exception):
    """Raised by `derivatives` and `crop` for bytes `inspect` would refuse."""

    def __init__(self, problem: ImageProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Derivative:
    """One WebP file of a `srcset`: `name` is unique to the source bytes and the settings."""

    name: str
    width: int
    height: int
    data: bytes


def inspect(data: bytes, name: str) -> SourceImage | ImageProblem:
    """Decodes the whole image once, so a corrupt or truncated file is found before a build
    relies on it, and a bomb is refused from its header, before any pixel is decoded."""
    try:  # at the smallest scale: what is checked is that every byte decodes
        format, _, (width, height) = _decoded(data, name, lambda size: 0.0)
    except UnusableImage as exc:
        return exc.problem
    return SourceImage(name, width, height, format, hashlib.sha256(data).hexdigest())


def location(data: bytes) -> bool:
    """Whether the image's EXIF gives the place it was taken (GPS coordinates)."""
    try:
        exif = _opened(data, "").getexif()
        return bool(exif.get_ifd(_GPS))
    except (UnusableImage, *_UNREADABLE):
        return False


def derivatives(data: bytes, name: str,
                settings: ImageSettings = DEFAULT) -> list[Derivative]:
    """The WebP files for `srcset`, narrowest first: one per configured width the source can
    fill, or the source's own width alone when it is narrower than all of them (never
    upscaled: a larger file of the same detail only costs readers bandwidth)."""
    source = inspect(data, name)
    if isinstance(source, ImageProblem):
        raise UnusableImage(source)
    specs = [Spec(width, height=max(1, round(source.height * width / source.width)))
             for width in output_widths(source.width, settings.widths)]
    tag, stem = _name_hash(data, settings), PurePosixPath(name).stem
    return [Derivative(f"{stem}-{spec.width}.{tag}.webp", spec.width, spec.height, made)
            for spec, made in zip(specs, make(data, name, specs, settings))]


def make(data: bytes, name: str, specs: list[Spec],
         settings: ImageSettings = DEFAULT) -> list[bytes]:
    """The bytes of each file, from one decoding of the image. A large photo is decoded at
    the smallest scale its files allow (a JPEG's own reduced decoding) and reduced once to
    what the largest of them needs: each file is then made from that, not from the original."""
    image = _publishable(_decoded(data, name, lambda size: _needed(specs, size))[1])
    working = _reduced(image, _needed(specs, image.size))
    made = []
    for spec in specs:
        if spec.ratio is None:
            height = spec.height or max(1, round(image.height * spec.width / image.width))
            resized = working if working.size == (spec.width, height) else working.resize(
                (spec.width, height), _RESAMPLE)
            made.append(_webp(resized, settings.webp_quality))
        else:
            made.append(_cropped(working, spec.ratio, spec.width, spec.focus, spec.format,
                                 settings))
    return made


def _needed(specs: list[Spec], size: tuple[int, int]) -> float:
    """The largest part of the image's size (as a fraction) any of the files needs."""
    return max(spec.width / (size[0] if spec.ratio is None else _box_width(size, spec.ratio))
               for spec in specs)


def _box_width(size: tuple[int, int], ratio: tuple[int, int]) -> int:
    left, _, right, _ = crop_box(size, ratio, (0.5, 0.5))
    return right - left


def _reduced(image: Image.Image, scale: float) -> Image.Image:
    """The image at `scale`, where that saves work: resizing each file from a photo of many
    times its size costs more than encoding it."""
    if scale > 0.9:
        return image
    size = (max(1, math.ceil(image.width * scale)), max(1, math.ceil(image.height * scale)))
    return image.resize(size, _RESAMPLE, reducing_gap=3.0)


def crop(data: bytes, ratio: tuple[int, int], width: int,
         focus: tuple[float, float] = (0.5, 0.5), format: Literal["JPEG", "WEBP"] = "JPEG",
         settings: ImageSettings = DEFAULT, name: str = "image") -> bytes:
    """The largest region of `ratio` (e.g. (1200, 630), (16, 9)) with the focal point (x, y
    as fractions of the displayed image) as near its centre as the edges allow, resized to
    exactly `width` wide. Upscaled if need be: social cards have a fixed size, and a small
    card is shown worse than a soft one."""
    return _cropped(_publishable(_decoded(data, name)[1]), ratio, width, focus, format,
                    settings)


def _cropped(image: Image.Image, ratio: tuple[int, int], width: int,
             focus: tuple[float, float], format: Literal["JPEG", "WEBP"],
             settings: ImageSettings) -> bytes:
    height = max(1, round(width * ratio[1] / ratio[0]))
    card = image.resize((width, height), _RESAMPLE, box=crop_box(image.size, ratio, focus))
    if format == "WEBP":
        return _webp(card, settings.webp_quality)
    return _jpeg(_on_white(card), settings.jpeg_quality)


def crop_box(size: tuple[int, int], ratio: tuple[int, int],
             focus: tuple[float, float]) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the largest `ratio` region of `size` centred on `focus`,
    moved back inside the image where the focus is near an edge."""
    width, height = size
    if width * ratio[1] > height * ratio[0]:  # wider than the ratio: full height
        crop_width, crop_height = max(1, round(height * ratio[0] / ratio[1])), height
    else:
        crop_width, crop_height = width, max(1, round(width * ratio[1] / ratio[0]))
    left = _placed(focus[0] * width, crop_width, width)
    top = _placed(focus[1] * height, crop_height, height)
    return left, top, left + crop_width, top + crop_height


def _placed(centre: float, span: int, limit: int) -> int:
    """The start of a span of `span` centred on `centre`, kept within 0..limit."""
    return min(max(round(centre - span / 2), 0), limit - span)


_RESAMPLE = Image.Resampling.LANCZOS
_GPS = 0x8825  # EXIF: the folder of GPS tags
_ORIENTATION = 0x0112  # EXIF: 5 to 8 are turned a quarter, so width and height swap


_UNREADABLE = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError,
               struct.error, zlib.error)
"""What Pillow's readers raise for a bad header or damaged data, depending on the format."""

_BOMB = (Image.DecompressionBombError, Image.DecompressionBombWarning)
"""Pillow's own guard: an error, or a warning that `-W error` turns into one."""


def _opened(data: bytes, name: str) -> ImageFile.ImageFile:
    """The image's header read with its format's reader; nothing decoded yet."""
    head = data[:16]
    if head.lstrip().startswith((b"<svg", b"<?xml")):
        raise _problem(name, "is an SVG, not a raster image: SVG files are copied as they are "
                             "and cannot be resized or used as a social image")
    reader = next((read for signed, read in _READERS if signed(head)), None)
    if reader is None:
        raise _problem(name, _unsupported(data))
    try:
        return reader(io.BytesIO(data))
    except _BOMB as exc:  # a GIF whose first frame is larger than its canvas, checked
        # against Pillow's process-wide limit as the frame is read; ours follows in _decoded
        raise _problem(name, f"was refused by Pillow's decompression-bomb guard: {exc}") from None
    except _UNREADABLE as exc:
        raise _problem(name, f"is not an image Pillow can read: {_reason(exc)}") from None


def _unsupported(data: bytes) -> str:
    """Names the format a newsroom cannot publish (a TIFF scan, a HEIC phone photo), so the
    message says what to do."""
    if not data:
        return "is empty: not an image"
    try:
        format = Image.open(io.BytesIO(data)).format
    except (*_UNREADABLE, *_BOMB):
        format = None
    if format is None:
        return "is not an image Pillow can read: not a JPEG, PNG, WebP or GIF file"
    return (f"is a {format} image: only JPEG, PNG, WebP and GIF images can be published — "
            "save it as JPEG (photos) or PNG (graphics)")


def _decoded(data: bytes, name: str, scale: Callable[[tuple[int, int]], float] | None = None
             ) -> tuple[str, Image.Image, tuple[int, int]]:
    """The format, the first frame decoded and turned upright, and its full size, or
    UnusableImage saying why not. `scale`: the part of its full size that is needed; a JPEG is
    then decoded at a half, a quarter or an eighth of its size where that is enough (every
    byte is still read, so damage is still found)."""
    blank = _blank_gif(data)
    if blank is not None:
        _check_size(blank, name)
        return "GIF", Image.new("RGBA", blank, (0, 0, 0, 0)), blank
    image = _opened(data, name)
    _check_size(image.size, name)
    try:
        width, height = image.size
        turned = (height, width) if image.getexif().get(_ORIENTATION, 1) > 4 else (width, height)
        if scale is not None and image.format == "JPEG":
            needed = min(1.0, scale(turned))
            image.draft(None, (max(1, math.ceil(width * needed)),
                               max(1, math.ceil(height * needed))))
        image.load()
        upright = ImageOps.exif_transpose(image)
    except _UNREADABLE as exc:
        raise _problem(name, f"is damaged and cannot be decoded: {_reason(exc)}") from None
    _check_size(upright.size, name)
    return image.format or "", upright, turned


def _blank_gif(data: bytes) -> tuple[int, int] | None:
    """The size of a GIF that has a screen but no picture (its header and the trailer, as
    GIF's grammar allows, and as placeholder files often are): shown as a transparent canvas.
    Pillow refuses such a file, having no frame to read."""
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 14:
        return None
    width, height, flags = struct.unpack("<HHB", data[6:11])
    table = 3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0
    rest = data[13 + table:]
    return (width, height) if rest[:1] == b";" and width and height else None


def _check_size(size: tuple[int, int], name: str) -> None:
    width, height = size
    if width * height > MAX_PIXELS:
        raise _problem(name, f"is {_megapixels(width * height)} megapixels ({width}×{height}): "
                             f"images over {_megapixels(MAX_PIXELS)} megapixels are refused as a "
                             "safeguard — resize it")


def _megapixels(pixels: int) -> str:
    """61, 50.1, 0.2: rounded up, so an image just over the limit never reads as at it."""
    return f"{math.ceil(pixels / 100_000) / 10:g}"


def _problem(name: str, message: str) -> UnusableImage:
    return UnusableImage(ImageProblem(name, message))


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


def _publishable(image: Image.Image) -> Image.Image:
    """8-bit RGB, or RGBA where the source has transparency, in sRGB, with no metadata."""
    icc = image.info.get("icc_profile")
    if image.mode.startswith("I"):  # 16-bit greys
        image = _eight_bit_grey(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode in ("P", "L", "RGB") and "transparency" in image.info)
    mode = "RGBA" if has_alpha else "RGB"
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        image = _to_srgb(image, icc, mode)
    clean = image.convert(mode) if image.mode != mode else image.copy()
    clean.info.clear()
    return clean


def _eight_bit_grey(image: Image.Image) -> Image.Image:
    """Scales 16-bit greys to 8 bits: a plain conversion would clip everything above 255."""
    return image.convert("I").point(lambda value: value / 257).convert("L")


def _to_srgb(image: Image.Image, icc: bytes, mode: str) -> Image.Image:
    """The pixels in sRGB; a profile littleCMS cannot read is ignored, as browsers do."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted if converted is not None else image


_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _on_white(image: Image.Image) -> Image.Image:
    """JPEG has no transparency: transparent areas show white, as on a light page."""
    if image.mode != "RGBA":
        return image
    flat = Image.new("RGB", image.size, (255, 255, 255))
    flat.paste(image, mask=image.getchannel("A"))
    return flat


def _webp(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "WEBP", quality=quality, method=4, exif=b"", xmp=b"", icc_profile=b"")
    return out.getvalue()


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def _name_hash(data: bytes, settings: ImageSettings) -> str:
    """Ten hex digits of the source bytes and the settings: a new photo or new settings give
    new names, so each file can be cached by browsers forever."""
    source = hashlib.sha256(data).hexdigest()
    return hashlib.sha256(f"{source}|{settings.digest}".encode()).hexdigest()[:10]
