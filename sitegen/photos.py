"""The images articles show, as their pages show them: a stage between assembling the site and
listing its outputs.

An article names a lead image (`image:`) and shows images in its body; each is a file of
`static/` or `content/`, or a web address, shown as it is. A raster image becomes WebP files at
the configured widths, offered in a `srcset` with its size, and the lead image also becomes the
crops that social networks and search engines show (a 1200×630 card; 16:9, 4:3 and 1:1 for the
JSON-LD). Those files are outputs like any page (`Rendition`), named by a hash of the source
bytes and the settings so that they can be cached forever, and made when the site is published,
by the build's workers. This stage needs only what each image is (`Facts`), which `examine`
tells: the build remembers it for each file as long as the file does not change.

An SVG is shown as it is and never used as a social image: networks do not show SVG cards.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from . import recipe, urls
from .assemble import Site
from .authors import Author
from .config import SiteConfig, key_line
from .content import Article
from .errors import BuildFailed, Diagnostic, error

FOLDER = "assets/images/"  # every file made from an image: hashed names, cached forever
CARD = (1200, 630)  # og:image and twitter:image
CROPS = ((16, 9), (4, 3), (1, 1))  # the JSON-LD's, as Google's article guidelines ask
CROP_WIDTH = 1200
FALLBACK_WIDTH = 1200  # the `src` of a srcset: its widest file up to this width
LOGO_WIDTH = 600
# An author's photo: a square 8rem wide on their page and 4rem beside their bio, at 1x and 2x,
# cropped around the upper part of the picture, where a portrait's face is.
PORTRAIT_WIDTHS = (128, 256)
PORTRAIT_FOCUS = (0.5, 0.3)

Signed = tuple[tuple[str, str, str], ...]  # (name, file, signature) of the files of a folder


@dataclass(frozen=True, slots=True)
class Facts:
    """What an image file is: a raster image's displayed size and the digest of its bytes, an
    SVG, or why it cannot be published."""

    kind: str  # "raster", "svg", "problem", or "web" for a web address
    width: int = 0
    height: int = 0
    digest: str = ""
    problem: str = ""  # what is wrong with it, after its name

    def record(self) -> str:
        return "\t".join((self.kind, str(self.width), str(self.height), self.digest,
                          self.problem))

    @classmethod
    def of_record(cls, record: str) -> Facts:
        kind, width, height, digest, problem = record.split("\t")
        return cls(kind, int(width), int(height), digest, problem)


def examine(file: str, data: bytes) -> Facts:
    """Whether the bytes are a publishable image, and what it is: decoded in full, so that a
    damaged file is found before anything relies on it."""
    digest = hashlib.sha256(data).hexdigest()
    if file.lower().endswith(".svg") or data[:256].lstrip().startswith((b"<svg", b"<?xml")):
        return Facts("svg", digest=digest)
    from . import images  # only builds that look at a new image pay for importing Pillow

    found = images.inspect(data, "")
    if isinstance(found, images.ImageProblem):
        return Facts("problem", problem=found.message)
    return Facts("raster", found.width, found.height, digest)


@dataclass(frozen=True, slots=True)
class Picture:
    """An image as a page shows it: `src` a URL path relative to the site (or a web address),
    with the size and the `srcset` files (URL path, width) of a raster image of the site."""

    src: str
    width: int | None = None
    height: int | None = None
    srcset: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Shown:
    """The images of one article: its lead, its body's by reference, and its social images."""

    lead: Picture | None
    body: tuple[tuple[str, Picture], ...]
    card: Picture | None  # 1200×630, for og:image and twitter:image
    crops: tuple[Picture, ...]  # for the JSON-LD
    card_of_lead: bool = False  # whether they show the lead (or else the site's default)


@dataclass(frozen=True, slots=True)
class Rendition:
    """A file made from an image: a WebP of its srcset, or a crop."""

    file: str  # where it is written, relative to the output folder
    source: str  # the image's file
    digest: str  # of the image's bytes
    spec: recipe.Spec
    key: str  # of the bytes it is made from and how: the file's key, and its cache name

    def described(self) -> str:
        return f"the image file {self.file}"


@dataclass(frozen=True, slots=True)
class Photos:
    articles: dict[str, Shown]  # article source -> its images
    logo: Picture | None
    renditions: tuple[Rendition, ...]
    copies: tuple[tuple[str, str, str], ...]  # (output, file, key) of the SVGs of content/
    originals: tuple[tuple[str, str], ...] = ()  # (name, file) of photos static/ copies as is
    authors: dict[str, Picture] = field(default_factory=dict)  # author key -> their portrait


Examine = Callable[[Sequence[tuple[str, str]]], list[Facts]]  # (file, signature) -> facts


def site_photos(site: Site, static: Signed, content: Signed, examine: Examine) -> Photos:
    """Every image the published articles, the default image and the logo use; each that
    cannot be published is an error at the line that uses it, all of them together."""
    files, config = _Files(static, content), site.config
    articles = {a.source: _references(a, site) for edition in site.editions
                for a in (*edition.articles, *edition.pages)}
    references = [(reference, folder) for found in articles.values()
                  for reference, folder, _, _ in found]
    references += [(reference, "content") for reference in (config.default_image, config.logo)
                   if reference]
    references += [(author.photo, "content") for author in config.authors.authors
                   if author.photo]
    wanted = sorted({found for reference, folder in references
                     if isinstance(found := files.locate(reference, folder), _Located)},
                    key=lambda located: located.shown)
    facts = dict(zip(wanted, examine([(located.file, located.signature) for located in wanted])))
    maker = _Maker(recipe.ImageSettings(config.image_widths), facts)
    problems: list[Diagnostic] = []
    default = _site_image(config, "default_image", files, maker, problems)
    logo = _site_image(config, "logo", files, maker, problems)
    shown = {source: _shown(found, files, maker, default, problems)
             for source, found in articles.items()}
    bylined = {author.key for edition in site.editions for article in edition.articles
               for name in article.authors if (author := config.authors.find(name))}
    portraits = {author.key: portrait for author in config.authors.authors if author.photo
                 and (portrait := _portrait(config, author, files, maker, problems,
                                            author.key in bylined))}
    if problems:
        raise BuildFailed(sorted(set(problems), key=lambda d: (d.path, d.line or 0, d.message)))
    return Photos(shown, logo.picture(LOGO_WIDTH) if logo else None,
                  tuple(maker.renditions.values()), tuple(sorted(maker.copies.values())),
                  tuple((located.shown, located.file) for located in wanted
                        if located.output is not None and facts[located].kind == "raster"),
                  portraits)


# Where an image is -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Located:
    file: str  # on disk
    shown: str  # as an editor names it: static/images/x.jpg, content/americas/x.jpg
    output: str | None  # its URL path, where static/ copies it as it is
    signature: str  # its size and bytes: the memo of its facts holds while it is the same


class _Files:
    def __init__(self, static: Signed, content: Signed) -> None:
        self.static = {name: (file, key) for name, file, key in static}
        self.content = {name: (file, key) for name, file, key in content}
        self.located: dict[tuple[str, str], _Located | str | None] = {}

    def locate(self, reference: str, folder: str) -> _Located | str | None:
        found = self.located.get((reference, folder), self)
        if found is self:
            found = self.located[(reference, folder)] = self._locate(reference, folder)
        return found  # type: ignore[return-value]

    def _locate(self, reference: str, folder: str) -> _Located | str | None:
        """The file a reference from `folder` (of the site) names, or why none, or None for a
        web address. `/images/x.jpg` is in static/ or else in content/; `x.jpg` is beside
        the article in content/, or else in static/."""
        parts = urlsplit(reference)
        if parts.scheme or parts.netloc or not parts.path:
            return None
        path = unquote(parts.path)
        name = posixpath.normpath(path).lstrip("/")
        if path.startswith("/"):
            inside, in_static = f"content/{name}", True
            candidates = [f"static/{name}", inside]
        else:
            inside = posixpath.normpath(posixpath.join(folder, path))
            if not inside.startswith("content/"):
                return f"image {reference!r} is outside content/: images beside the " \
                       "articles are in content/, the others in static/ (written /images/x.jpg)"
            in_static = not name.startswith("..")  # `images/x.jpg` may mean static/'s
            candidates = [inside, *([f"static/{name}"] if in_static else [])]
        if in_static and name in self.static and (path.startswith("/")
                                                  or inside not in self.content):
            file, key = self.static[name]
            return _Located(file, f"static/{name}", name, key)
        if inside in self.content:
            file, key = self.content[inside]
            return _Located(file, inside, None, key)
        return f"image {reference!r} not found: there is no {' or '.join(candidates)}"


@dataclass(frozen=True, slots=True)
class _References:
    """The images an article shows: (reference, folder it is relative to, file and line that
    give it) of its lead, which a translation may take from its original, and of its body's."""

    lead: tuple[str, str, str, int] | None
    body: tuple[tuple[str, str, str, int], ...]
    focus: tuple[float, float] | None

    def __iter__(self) -> Iterator[tuple[str, str, str, int]]:
        return iter((*((self.lead,) if self.lead else ()), *self.body))


def _references(article: Article, site: Site) -> _References:
    lead = None
    if article.image:
        giver = _giver(article, site)
        lead = (article.image, posixpath.dirname(giver.source), giver.source,
                giver.line("image"))
    folder = posixpath.dirname(article.source)
    return _References(lead, tuple((reference, folder, article.source, line)
                                   for reference, line in article.figures),
                       article.image_focus)


def _at(problems: list[Diagnostic], source: str, line: int | None) -> Callable[[str], None]:
    """Reports a problem at the line that uses the image."""
    return lambda message: problems.append(error(source, line, message))


def _giver(article: Article, site: Site) -> Article:
    """The version whose file gives the article's lead image (a translation may take it)."""
    if "image" in article.given:
        return article
    return next((v for v in site.versions(article) if "image" in v.given), article)


# What a page shows ------------------------------------------------------------------------------

def _shown(references: _References, files: _Files, maker: _Maker, default: _Image | None,
           problems: list[Diagnostic]) -> Shown:
    def image(reference: str, folder: str, source: str, line: int) -> _Image | None:
        return _image(reference, folder, files, maker, _at(problems, source, line))

    lead = image(*references.lead) if references.lead else None
    body = tuple((found.reference, found.picture()) for found in
                 (image(*reference) for reference in references.body) if found is not None)
    if lead is not None and lead.located is None and not _is_svg(lead.reference):
        # A photo on another server (a newsroom's image service): shown and shared as it is.
        picture = lead.picture()
        return Shown(picture, body, picture, (picture,), True)
    social = lead if lead is not None and lead.raster else default
    if social is None:
        return Shown(lead.picture() if lead else None, body, None, ())
    focus = references.focus if social is lead and references.focus else (0.5, 0.5)
    return Shown(lead.picture() if lead else None, body, social.crop(CARD, CARD[0], focus),
                 tuple(social.crop(ratio, CROP_WIDTH, focus) for ratio in CROPS),
                 social is lead)


def _is_svg(reference: str) -> bool:
    return urlsplit(reference).path.lower().endswith((".svg", ".svgz"))


def _site_image(config: SiteConfig, key: str, files: _Files, maker: _Maker,
                problems: list[Diagnostic]) -> _Image | None:
    reference = getattr(config, key)
    if not reference:
        return None
    line = key_line(config, ("site",), key)
    image = _image(reference, "content", files, maker, lambda message: problems.append(
        error(config.config_file, line, f"{key}: {message}")))
    if image is not None and not image.raster and key == "default_image":
        problems.append(error(config.config_file, line, f"default_image {reference!r} is an SVG: "
                              "social networks do not show SVG images; give a JPEG or PNG"))
        return None
    return image


def _portrait(config: SiteConfig, author: Author, files: _Files, maker: _Maker,
              problems: list[Diagnostic], shown: bool) -> Picture | None:
    """An author's photo as their pages show it: a photo of the site as small squares, an
    SVG or a web address as it is. Checked whether or not it is `shown` (an author with no
    published story has no page yet), but made only where it is."""
    assert author.photo is not None
    line = key_line(config, ("authors", author.key), "photo")
    image = _image(author.photo, "content", files, maker, lambda message: problems.append(
        error(config.config_file, line, f"authors.{author.key}.photo: {message}")))
    if image is None or not shown:
        return None
    if image.located is None or not image.raster:
        return image.picture()
    return maker.square(image.located, image.facts, PORTRAIT_WIDTHS, PORTRAIT_FOCUS)


def _image(reference: str, folder: str, files: _Files, maker: _Maker,
           problem: Callable[[str], None]) -> _Image | None:
    found = files.locate(reference, folder)
    if found is None:
        return _Image(maker, reference, None, Facts("web"))
    if isinstance(found, str):
        problem(found)
        return None
    facts = maker.facts[found]
    if facts.kind == "problem":
        problem(f"image {reference!r} ({found.shown}) {facts.problem}")
        return None
    return _Image(maker, reference, found, facts)


@dataclass(frozen=True, slots=True)
class _Image:
    """One image of the site as the pages use it; asks `maker` for the files it needs."""

    maker: _Maker
    reference: str
    located: _Located | None  # None: a web address
    facts: Facts

    @property
    def raster(self) -> bool:
        return self.facts.kind == "raster"

    def picture(self, widest: int | None = None) -> Picture:
        if self.located is None:
            return Picture(self.reference)
        if not self.raster:
            return Picture(self.located.output or self.maker.copy(self.located, self.facts))
        return self.maker.srcset(self.located, self.facts, widest)

    def crop(self, ratio: tuple[int, int], width: int, focus: tuple[float, float]) -> Picture:
        assert self.located is not None
        return self.maker.crop(self.located, self.facts, ratio, width, focus)


class _Maker:
    """The files made from images, each once, by the name its source and recipe give it."""

    def __init__(self, settings: recipe.ImageSettings, facts: dict[_Located, Facts]) -> None:
        self.settings, self.facts, self.recipe = settings, facts, settings.digest
        self.renditions: dict[str, Rendition] = {}
        self.copies: dict[str, tuple[str, str, str]] = {}
        self.pictures: dict[tuple[object, ...], Picture] = {}  # each made once per site

    def srcset(self, located: _Located, facts: Facts, widest: int | None) -> Picture:
        return self._once((located, widest), lambda: self._srcset(located, facts, widest))

    def crop(self, located: _Located, facts: Facts, ratio: tuple[int, int], width: int,
             focus: tuple[float, float]) -> Picture:
        """A JPEG (what every network shows): named by what it is made from alone, so that
        stories that share a photo share its cards."""
        def made() -> Picture:
            height = max(1, round(width * ratio[1] / ratio[0]))
            spec = recipe.Spec(width, ratio, focus, "JPEG")
            return Picture(self._make(located, facts, spec, f"{width}x{height}", "jpg", False),
                           width, height)

        return self._once((located, ratio, width, focus), made)

    def square(self, located: _Located, facts: Facts, widths: tuple[int, ...],
               focus: tuple[float, float]) -> Picture:
        """WebP squares of a photo at `widths`, never wider than its shorter side: the
        narrowest is the `src`, and the size the `<img>` says."""
        def made() -> Picture:
            side = min(facts.width, facts.height)
            fitting = [width for width in widths if width <= side] or [side]
            files = tuple((self._make(located, facts, recipe.Spec(width, (1, 1), focus),
                                      f"{width}x{width}", "webp"), width) for width in fitting)
            return Picture(files[0][0], files[0][1], files[0][1], files)

        return self._once((located, "square", widths, focus), made)

    def _once(self, key: tuple[object, ...], make: Callable[[], Picture]) -> Picture:
        found = self.pictures.get(key)
        if found is None:
            found = self.pictures[key] = make()
        return found

    def _srcset(self, located: _Located, facts: Facts, widest: int | None) -> Picture:
        widths = recipe.output_widths(facts.width, self.settings.widths)
        if widest is not None:
            widths = [w for w in widths if w <= widest] or widths[:1]
        made = []
        for width in widths:
            height = max(1, round(facts.height * width / facts.width))
            spec = recipe.Spec(width, height=height)
            made.append((self._make(located, facts, spec, f"{width}", "webp"), width, height))
        src = max((m for m in made if m[1] <= FALLBACK_WIDTH), key=lambda m: m[1],
                  default=made[0])
        return Picture(src[0], src[1], src[2], tuple((path, width) for path, width, _ in made))

    def copy(self, located: _Located, facts: Facts) -> str:
        """An SVG of content/, published under a name with its hash."""
        output = f"{FOLDER}{_stem(located.shown)}.{facts.digest[:10]}.svg"
        self.copies[output] = (output, located.file, f"image:{facts.digest}")
        return output

    def _make(self, located: _Located, facts: Facts, spec: recipe.Spec, size: str,
              suffix: str, named: bool = True) -> str:
        key = hashlib.sha256(f"{facts.digest}|{self.recipe}|{spec!r}".encode()).hexdigest()
        output = f"{FOLDER}{_stem(located.shown)}-{size}.{key[:10]}.{suffix}" if named \
            else f"{FOLDER}{size}.{key[:16]}.{suffix}"
        self.renditions.setdefault(output, Rendition(output, located.file, facts.digest, spec,
                                                     key))
        return output


def _stem(name: str) -> str:
    """A file name's stem as it can stand in any URL: `Foto Café 1.JPG` -> `foto-cafe-1`."""
    return urls.slugify(posixpath.splitext(posixpath.basename(name))[0])[:60].strip("-") \
        or "image"
