"""How files are made from images, without the imaging library: the settings and the
description of each file, which the build needs to name and key them whether or not it has
any image to make (importing Pillow costs a build that makes none)."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Literal

# Bump when the way outputs are made changes, so their names (and caches) change with them.
RECIPE = 1


@dataclass(frozen=True, slots=True)
class ImageSettings:
    """How derivatives and crops are made; its digest is part of every output's name."""

    widths: tuple[int, ...] = (480, 800, 1200, 1600)
    webp_quality: int = 80
    jpeg_quality: int = 85

    def __post_init__(self) -> None:
        if not self.widths or min(self.widths) < 1:
            raise ValueError(f"image widths must be positive numbers of pixels: {self.widths}")
        for quality in (self.webp_quality, self.jpeg_quality):
            if not 1 <= quality <= 100:
                raise ValueError(f"an image quality is from 1 to 100, not {quality}")

    @property
    def digest(self) -> str:
        """Changes whenever an output made with these settings would change: with the settings,
        the code that makes the outputs (`images.py` and Pillow's release)."""
        recipe = (f"{RECIPE}|{sorted(set(self.widths))}|{self.webp_quality}|{self.jpeg_quality}"
                  f"|{maker()}")
        return hashlib.sha256(recipe.encode()).hexdigest()


DEFAULT = ImageSettings()


@dataclass(frozen=True, slots=True)
class Spec:
    """One file made from an image: the whole of it `width` wide, or the crop of `ratio`
    around `focus` (see `crop`)."""

    width: int
    ratio: tuple[int, int] | None = None
    focus: tuple[float, float] = (0.5, 0.5)
    format: Literal["JPEG", "WEBP"] = "WEBP"
    height: int = 0  # of the whole image at `width`, as the page says it; 0: from its ratio


def output_widths(source_width: int, widths: tuple[int, ...]) -> list[int]:
    """The configured widths the source can fill, or the source's width if it fills none."""
    fitting = sorted({width for width in widths if width <= source_width})
    return fitting or [source_width]


@functools.cache
def maker() -> str:
    """What makes the outputs: `images.py` and the Pillow release (whose wheels carry their
    libjpeg and libwebp), read from the files that state them, without importing Pillow."""
    digest = hashlib.sha256((Path(__file__).parent / "images.py").read_bytes())
    spec = find_spec("PIL")
    if spec is not None and spec.origin:
        stated = Path(spec.origin).with_name("_version.py")
        if stated.is_file():
            digest.update(stated.read_bytes())
    return digest.hexdigest()
