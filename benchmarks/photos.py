"""Camera-like photographs for the corpus's images, to time the image pipeline on real work.

The corpus generator writes a tiny GIF for every image the stories reference, which costs a
build nothing. A newsroom's images are photographs straight from a camera: millions of pixels,
megabytes of JPEG, EXIF with the place they were taken. `put_photos` replaces every referenced
image of a sitegen corpus with one of a pool of such photographs, so that the number of distinct
sources (what derivatives are made from) is chosen independently of the number of stories.

The pixels are a smooth colour field with soft shapes, fine detail and grain: like a photograph,
it compresses to roughly 1.5–4 MB at JPEG quality 92 (flat colour would compress to almost
nothing and time the pipeline on work it never meets). Every photograph is a pure function of its
seed, so the same pool is written byte for byte on every run with the same Pillow.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import ExifTags, Image, ImageDraw, ImageFilter
from PIL.TiffImagePlugin import IFDRational

LANDSCAPE = (3000, 2000)
PORTRAIT = (2000, 3000)
PORTRAIT_EVERY = 4  # one photograph in four is upright, as on a news desk
QUALITY = 92
IMAGE_SUFFIXES = (".jpg", ".jpeg")
CAMERAS = (
    ("Canon", "Canon EOS R6 Mark II"),
    ("NIKON CORPORATION", "NIKON Z 6_2"),
    ("SONY", "ILCE-7M4"),
    ("FUJIFILM", "X-T5"),
    ("Apple", "iPhone 15 Pro"),
)
# where the corpus's stories happen: Havana, Miami, Caracas, Bogotá, Madrid (degrees)
PLACES = ((23.1136, -82.3666), (25.7617, -80.1918), (10.4806, -66.9036),
          (4.7110, -74.0721), (40.4168, -3.7038))


@dataclass(frozen=True)
class Photo:
    """One photograph of the pool: its JPEG bytes and what its EXIF says."""

    index: int
    size: tuple[int, int]
    make: str
    model: str
    latitude: float
    longitude: float
    data: bytes


def _dms(degrees: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    """Degrees as EXIF writes them: degrees, minutes and seconds, each a rational."""
    degrees = abs(degrees)
    whole = int(degrees)
    minutes = int((degrees - whole) * 60)
    seconds = round(((degrees - whole) * 60 - minutes) * 60 * 100)
    return IFDRational(whole, 1), IFDRational(minutes, 1), IFDRational(seconds, 100)


def camera_exif(make: str, model: str, latitude: float, longitude: float) -> Image.Exif:
    """EXIF as a camera writes it: make, model, orientation and the GPS position (IFD 0x8825),
    the metadata a derivative must not carry."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = make
    exif[ExifTags.Base.Model] = model
    exif[ExifTags.Base.Orientation] = 1  # pixels stored upright
    exif[ExifTags.Base.Software] = "benchmarks/photos.py"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSVersionID] = b"\x02\x03\x00\x00"
    gps[ExifTags.GPS.GPSLatitudeRef] = "N" if latitude >= 0 else "S"
    gps[ExifTags.GPS.GPSLatitude] = _dms(latitude)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E" if longitude >= 0 else "W"
    gps[ExifTags.GPS.GPSLongitude] = _dms(longitude)
    return exif


def _pixels(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A colour field with soft shapes, mid-scale texture and per-pixel grain."""
    width, height = size
    field = Image.new("RGB", (4, 3))
    field.putdata([(rng.randrange(30, 230), rng.randrange(30, 230), rng.randrange(30, 230))
                   for _ in range(12)])
    picture = field.resize(size, Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(picture)
    for _ in range(rng.randrange(12, 24)):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(width // 30, width // 5)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        if rng.random() < 0.5:
            draw.ellipse((x - r, y - r, x + r, y + int(r * rng.uniform(0.5, 1.5))), fill=colour)
        else:
            corners = rng.randrange(3, 7)
            draw.polygon([(x + rng.randrange(-r, r), y + rng.randrange(-r, r))
                          for _ in range(corners)], fill=colour)
    picture = picture.filter(ImageFilter.GaussianBlur(3))
    small = (width // 8, height // 8)
    texture = Image.frombytes("L", small, rng.randbytes(small[0] * small[1]))
    texture = texture.resize(size, Image.Resampling.BICUBIC).convert("RGB")
    grain = Image.frombytes("RGB", size, rng.randbytes(width * height * 3))
    detail = rng.uniform(0.18, 0.34)  # how busy the scene is: sets the file's size
    picture = Image.blend(picture, texture, detail)
    return Image.blend(picture, grain, detail / 2)


def make_photo(index: int, seed: int) -> Photo:
    """The pool's photograph number `index` for a corpus seed."""
    rng = random.Random(f"photo {seed} {index}")
    size = PORTRAIT if index % PORTRAIT_EVERY == PORTRAIT_EVERY - 1 else LANDSCAPE
    make, model = CAMERAS[index % len(CAMERAS)]
    latitude, longitude = PLACES[index % len(PLACES)]
    latitude += rng.uniform(-0.05, 0.05)
    longitude += rng.uniform(-0.05, 0.05)
    out = io.BytesIO()
    _pixels(rng, size).save(out, "JPEG", quality=QUALITY,
                            exif=camera_exif(make, model, latitude, longitude))
    return Photo(index, size, make, model, latitude, longitude, out.getvalue())


def referenced_images(site: Path) -> list[Path]:
    """The JPEG files of a corpus's static/ folder, sorted: the corpus generator writes exactly
    the images its stories reference."""
    static = site / "static"
    return sorted(path for path in static.rglob("*")
                  if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES)


def put_photos(site: Path, count: int, seed: int) -> list[Photo]:
    """Replace each referenced image of a sitegen corpus with a photograph of a pool of `count`,
    taken round robin in path order; the pool (no larger than the images) is returned."""
    images = referenced_images(site)
    pool = [make_photo(index, seed) for index in range(min(count, len(images)))]
    for number, path in enumerate(images):
        path.write_bytes(pool[number % len(pool)].data)
    return pool
