"""The photographs scenario of the build benchmark: the camera photographs it writes and how it
weighs an article page as a phone downloads it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from benchmarks.page_weight import (
    Candidate,
    choose_candidate,
    css_length,
    images_fetched,
    media_matches,
    page_weight,
    parse_srcset,
    resolve,
    slot_width,
)
from benchmarks.photos import make_photo, put_photos

SRCSET = "/img/a-480.webp 480w, /img/a-800.webp 800w, /img/a-1200.webp 1200w, /img/a-1600.webp 1600w"


def test_srcset_is_split_into_urls_and_descriptors() -> None:
    assert parse_srcset(SRCSET)[1] == Candidate("/img/a-800.webp", width=800)
    assert parse_srcset("a.jpg, b.jpg 2x") == [Candidate("a.jpg", density=1.0),
                                              Candidate("b.jpg", density=2.0)]


@pytest.mark.parametrize(("slot", "chosen"), [
    (390, "/img/a-1200.webp"),   # 1170 device pixels
    (160, "/img/a-480.webp"),    # exactly 480
    (161, "/img/a-800.webp"),
    (600, "/img/a-1600.webp"),   # 1800 needed: none is wide enough, the widest
])
def test_the_phone_takes_the_narrowest_candidate_wide_enough(slot: float, chosen: str) -> None:
    picked = choose_candidate(parse_srcset(SRCSET), slot, dpr=3)
    assert picked is not None and picked.url == chosen


def test_density_descriptors_pick_the_least_dense_at_the_ratio() -> None:
    picked = choose_candidate(parse_srcset("a.jpg 1x, b.jpg 2x, c.jpg 3x, d.jpg 4x"), 390, dpr=3)
    assert picked is not None and picked.url == "c.jpg"


@pytest.mark.parametrize(("sizes", "width"), [
    (None, 390),
    ("100vw", 390),
    ("(max-width: 600px) 100vw, 50vw", 390),
    ("(min-width: 800px) 720px, 90vw", 351),
    ("(min-width: 50em) 720px, calc(100vw - 2rem)", 358),
    ("min(100vw, 300px)", 300),
    ("(width < 400px) 80vw, 100vw", 312),
    ("screen and (max-width: 300px) 10px, 200px", 200),
    ("(orientation: portrait) 10px, 120px", 120),  # a condition it cannot read never matches
    ("auto", 390),                                  # unreadable: 100vw
])
def test_sizes_is_evaluated_on_a_390px_viewport(sizes: str | None, width: float) -> None:
    assert slot_width(sizes, 390) == pytest.approx(width)


def test_css_lengths() -> None:
    assert css_length("calc(100vw - 2 * 16px)", 390) == pytest.approx(358)
    assert css_length("clamp(200px, 50vw, 300px)", 390) == pytest.approx(200)
    assert css_length("12parsecs", 390) is None
    assert media_matches("not (min-width: 500px)", 390)


def test_resolve_strips_the_base_urls_path(tmp_path: Path) -> None:
    base = "https://example.org/news"
    assert resolve("/news/images/a.jpg", "/news/en/x/index.html", base, tmp_path) == (
        tmp_path / "images" / "a.jpg")
    assert resolve("../../images/a.jpg", "/news/en/x/index.html", base, tmp_path) == (
        tmp_path / "images" / "a.jpg")
    assert resolve("https://cdn.example.net/a.jpg", "/news/en/x/index.html", base, tmp_path) is None


def test_a_page_weighs_its_html_and_the_files_a_phone_fetches(tmp_path: Path) -> None:
    out = tmp_path / "public"
    (out / "img").mkdir(parents=True)
    for name, size in [("a-480.webp", 100), ("a-800.webp", 200), ("a-1200.webp", 300),
                       ("a-1600.webp", 400), ("body.jpg", 5000)]:
        (out / "img" / name).write_bytes(b"x" * size)
    page = out / "en" / "story" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(f'<img src="/img/a-1600.webp" srcset="{SRCSET}" sizes="100vw">'
                    '<p><img src="../../img/body.jpg" loading="lazy"></p>'
                    '<img src="/img/a-1600.webp" srcset="' + SRCSET + '" sizes="100vw">',
                    encoding="utf-8")
    html = page.stat().st_size
    weight = page_weight(page, out, "https://news.example.com")
    assert (weight.first_view, weight.whole_page) == (html + 300, html + 300 + 5000)
    assert weight.missing == []


def test_a_picture_source_wins_over_the_img() -> None:
    html = ('<picture><source type="image/webp" srcset="/s-800.webp 800w, /s-1600.webp 1600w" '
            'sizes="50vw"><img src="/fallback.jpg"></picture><img src="/after.jpg">')
    assert [f.url for f in images_fetched(html)] == ["/s-800.webp", "/after.jpg"]


def test_a_photo_is_camera_size_and_carries_gps() -> None:
    photo = make_photo(3, seed=1)
    picture = Image.open(io.BytesIO(photo.data))
    assert picture.format == "JPEG" and picture.size == (2000, 3000)
    assert 1_500_000 <= len(photo.data) <= 4_000_000
    exif = picture.getexif()
    assert exif[ExifTags.Base.Make] == photo.make and exif[ExifTags.Base.Orientation] == 1
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    degrees, minutes, seconds = gps[ExifTags.GPS.GPSLatitude]
    assert degrees + minutes / 60 + seconds / 3600 == pytest.approx(abs(photo.latitude), abs=1e-4)
    assert gps[ExifTags.GPS.GPSLongitudeRef] == "W"
    assert make_photo(3, seed=1).data == photo.data


def test_each_image_takes_a_pool_photo_round_robin(tmp_path: Path) -> None:
    images = [tmp_path / "static" / "images" / f"{n}.jpg" for n in range(3)]
    for path in images:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"GIF89a")
    pool = put_photos(tmp_path, 2, seed=7)
    assert [path.read_bytes() for path in images] == [pool[0].data, pool[1].data, pool[0].data]
    assert pool[0].data != pool[1].data


def test_the_report_notes_how_busy_the_machine_was() -> None:
    from benchmarks.build_speed import Samples, load_notes

    quiet, busy = Samples(loads=[0.25, 0.5]), Samples(loads=[0.5, 1000.0])
    assert load_notes(Samples()) == []
    [note] = load_notes(quiet)
    assert "0.25–0.50" in note and "CPU rows" not in note
    assert "compare the CPU rows" in load_notes(busy)[0]


def test_the_summary_divides_each_build_by_the_peers_cold_build() -> None:
    from benchmarks.build_speed import (
        ARTICLE, COLD, CPU_TIMES, DEPLOY, NO_CHANGE, Samples, summary_section)

    samples = Samples()
    for tool, cold, cpu in (("sitegen", 12.0, 20.0), ("hugo", 8.0, 10.0)):
        samples.add(tool, COLD, cold)
        samples.add(tool, CPU_TIMES[COLD], cpu)
    for measure, wall, cpu in ((NO_CHANGE, 0.4, 0.5), (ARTICLE, 0.8, 1.0), (DEPLOY, 2.0, 2.5)):
        samples.add("sitegen", measure, wall)
        samples.add("sitegen", CPU_TIMES[measure], cpu)
    lines = summary_section([(1000, samples)], ["sitegen", "hugo"], {})
    assert lines[0] == "## Summary"
    assert lines[-1] == ("| 1,000 | Hugo | 1.50× / 2.00× | 0.05× / 0.05× | 0.10× / 0.10× "
                         "| 0.25× / 0.25× |")
    assert summary_section([(1000, samples)], ["sitegen@HEAD", "hugo"], {}) == []
    assert "n/a / n/a" in summary_section([(1000, samples)], ["sitegen", "pelican"], {})[-1]
