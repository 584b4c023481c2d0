"""The `sitegen` command: parse arguments, run a command, print diagnostics, set the exit status.

Only this module prints or exits; everything it calls returns values or raises BuildFailed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .assemble import BuildOptions, build_clock
from .build import build
from .commands.i18n import ACTIONS
from .errors import BuildFailed, counted, stage_of
from .progress import no_progress


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except BuildFailed as failed:
        for diagnostic in failed.diagnostics:
            print(diagnostic, file=sys.stderr)
        errors = sum(d.severity == "error" for d in failed.diagnostics)
        print(f"sitegen: {errors} error{'s' if errors != 1 else ''}; nothing was written",
              file=sys.stderr)
        return 1
    except OSError as exc:  # a folder that cannot be read or written: the user's to fix
        stage = stage_of(exc)
        print(f"sitegen: error: {stage + ': ' if stage else ''}{exc.strerror or exc}: "
              f"{exc.filename or ''}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sitegen",
                                     description="Static site generator for bilingual newsrooms.")
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    build_cmd = commands.add_parser("build", help="build the site into public/")
    _site_option(build_cmd)
    build_cmd.add_argument("-o", "--output", type=Path, metavar="OUT",
                           help="output folder (default: SITE/public)")
    _publishing_options(build_cmd)
    build_cmd.add_argument("--base-url", metavar="URL",
                           help="absolute URL the site is served from (overrides base_url)")
    build_cmd.add_argument("-j", "--jobs", type=_positive, metavar="N",
                           help="worker processes (default: all cores; 1: no workers)")
    build_cmd.add_argument("--no-cache", action="store_true",
                           help="neither read nor write the build cache (.sitegen-cache/)")
    build_cmd.add_argument("-q", "--quiet", action="store_true",
                           help="print nothing but errors (no progress, no summary)")
    build_cmd.set_defaults(run=_build)

    serve_cmd = commands.add_parser(
        "serve", help="build, serve and rebuild on every save, reloading open pages")
    _site_option(serve_cmd)
    serve_cmd.add_argument("--host", default="127.0.0.1",
                           help="address to listen on (default: 127.0.0.1, this computer only)")
    serve_cmd.add_argument("--port", type=_port, default=8000,
                           help="port to listen on (default: 8000; 0 picks a free one)")
    _publishing_options(serve_cmd)
    serve_cmd.set_defaults(run=_serve)

    check_cmd = commands.add_parser(
        "check", help="report problems without writing anything: missing and stale translations, "
                      "broken links, front matter, slugs, alt text, sources, UI strings")
    _site_option(check_cmd)
    check_cmd.add_argument("--format", choices=("text", "json"), default="text",
                           help="text lines (default) or a JSON list of objects")
    check_cmd.add_argument("--strict", action="store_true",
                           help="exit 1 on warnings too, not only on errors")
    check_cmd.set_defaults(run=_check)

    status_cmd = commands.add_parser(
        "status", help="every story in every language: published, draft, scheduled, missing, stale")
    _site_option(status_cmd)
    status_cmd.set_defaults(run=_status)

    new_cmd = commands.add_parser("new", help="write a new article file, or a translation of one")
    new_cmd.add_argument("title", metavar="TITLE", help="the headline")
    _site_option(new_cmd)
    new_cmd.add_argument("--lang", help="its language (default: the site's default language, or "
                                        "the one the story lacks with --translation-of)")
    new_cmd.add_argument("--section", help="its section folder (with --translation-of: the "
                                           "original's)")
    new_cmd.add_argument("--translation-of", type=Path, metavar="FILE",
                         help="the article this one translates: pairs with it, and inherits its "
                              "date, byline, sources, image and tags")
    new_cmd.set_defaults(run=_new)

    init_cmd = commands.add_parser("init", help="write a new, working site into an empty folder")
    init_cmd.add_argument("folder", type=Path, metavar="DIR")
    init_cmd.set_defaults(run=_init)

    i18n_cmd = commands.add_parser(
        "i18n", help="translate the theme's UI strings: extract, update, compile, init LANG")
    i18n_cmd.add_argument("action", choices=ACTIONS)
    i18n_cmd.add_argument("lang", nargs="?", metavar="LANG", help="the language, for init")
    _site_option(i18n_cmd)
    i18n_cmd.set_defaults(run=_i18n)
    return parser


def _site_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("-s", "--site", type=Path, default=Path("."), metavar="SITE",
                         help="the site folder (default: the current folder)")


def _publishing_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--drafts", action="store_true", help="also build drafts")
    command.add_argument("--future", action="store_true",
                         help="also build articles dated in the future")


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return int(text)


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 0 to 65535, not {text!r}")
    return int(text)


def _build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    options = BuildOptions(now=build_clock(), drafts=args.drafts, future=args.future)
    progress = _Progress() if not args.quiet and sys.stderr.isatty() else None
    try:
        result = build(args.site, options, args.output, args.base_url, jobs=args.jobs,
                       use_cache=not args.no_cache, progress=progress or no_progress,
                       waiting=(lambda: None) if args.quiet else _waiting)
    finally:
        if progress is not None:
            progress.clear()
    for warning in result.warnings:
        print(f"sitegen: warning: {warning}", file=sys.stderr)
    if not args.quiet:
        out = args.output or args.site / "public"
        print(f"sitegen: built {counted(result.articles, 'article')}, "
              f"{counted(result.files, 'file')} into {out} "
              f"({result.report.written} written, {result.report.unchanged} unchanged, "
              f"{result.report.removed} removed) in {time.perf_counter() - started:.2f}s")
    return 0


_COUNTED = {"parsing": "article", "rendering": "page", "writing": "file"}


class _Progress:
    """The build's stage on one terminal line, rewritten in place, at most ten times a second."""

    def __init__(self) -> None:
        self.shown = ""
        self.stage = ""
        self.at = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == self.stage and now - self.at < 0.1 and done != total:
            return
        self.stage, self.at = stage, now
        self._show(f"sitegen: {self.describe(stage, done, total)}")

    @staticmethod
    def describe(stage: str, done: int, total: int) -> str:
        noun = _COUNTED.get(stage)
        if noun is None:
            return f"{stage} the site..."
        if 0 < done < total:
            return f"{stage} {done}/{counted(total, noun)}..."
        return f"{stage} {counted(total, noun)}..."

    def clear(self) -> None:
        if self.shown:
            self._show("")
            sys.stderr.write("\r")
            sys.stderr.flush()

    def _show(self, line: str) -> None:
        sys.stderr.write("\r" + line.ljust(len(self.shown)))
        sys.stderr.flush()
        self.shown = line


def _waiting() -> None:
    print("sitegen: another build of this site is running; waiting for it to finish",
          file=sys.stderr, flush=True)


def _serve(args: argparse.Namespace) -> int:
    from .commands.serve import serve

    return serve(args.site, args.host, args.port, args.drafts, args.future,
                 announce=lambda line: print(line, flush=True))


def _check(args: argparse.Namespace) -> int:
    from .commands.check import check, report

    findings = check(args.site, build_clock())
    print(report(findings, args.format), end="")
    failing = ("error", "warning") if args.strict else ("error",)
    return 1 if any(f.severity in failing for f in findings) else 0


def _status(args: argparse.Namespace) -> int:
    from .commands.status import status, table

    print(table(status(args.site, build_clock())), end="")
    return 0


def _new(args: argparse.Namespace) -> int:
    from .commands.scaffold import new_article

    written = new_article(args.site, args.title, lang=args.lang, section=args.section,
                          translation_of=args.translation_of, now=build_clock())
    print(written)  # alone on standard output, for scripts: `$EDITOR "$(sitegen new …)"`
    print("sitegen: written as a draft, which builds only with --drafts: to publish it, remove "
          "its `draft: true` line (or set it to false), then run sitegen build", file=sys.stderr)
    return 0


def _init(args: argparse.Namespace) -> int:
    from .commands.scaffold import init_site

    init_site(args.folder)
    print(f"sitegen: new site in {args.folder}; build it with: cd {args.folder} && sitegen build")
    return 0


def _i18n(args: argparse.Namespace) -> int:
    from .commands.i18n import run

    return run(args.site, args.action, args.lang, announce=lambda line: print(line, flush=True))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
