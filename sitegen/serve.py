"""`sitegen serve`: build, serve the output over HTTP, rebuild on save, reload open pages.

The preview is built by the same `build()` as `sitegen build`, into a folder in the site's cache
folder, with the build cache kept in memory between rebuilds. The server adds one thing to the
files it serves: a small script in HTML pages that listens for rebuilds (Server-Sent Events),
reloads the page when it changed, and shows build errors over the page until they are fixed.
"""

from __future__ import annotations

import gc
import html
import json
import mimetypes
import os
import posixpath
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import urls
from .assemble import BuildOptions, build_clock
from .build import build, load_config
from .cache import FOLDER, Cache, open_cache
from .config import SiteConfig
from .errors import BuildFailed
from .watch import Watcher

PREVIEW_FOLDER = "preview"
EVENTS = "/_sitegen/events"
SCRIPT = "/_sitegen/live.js"
STATUS = "/_status/"  # the translation status page, only ever served by the preview
QUIET = 0.01  # seconds without a new event before a burst of saves is built
CHECK_AFTER = 2.0  # seconds of quiet after which every source is looked at once more
MAX_RELOAD_PATHS = 500  # beyond this many renewed files, every open page reloads

TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".xml": "application/xml; charset=utf-8",
    ".json": "application/json", ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon",
    ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf",
    ".pdf": "application/pdf", ".mp4": "video/mp4", ".webm": "video/webm",
}


@dataclass(frozen=True, slots=True)
class Event:
    name: str
    data: str


class Preview:
    """The site as last built, the problems of the last build, and who wants to hear of both."""

    def __init__(self, site_dir: Path, drafts: bool, future: bool) -> None:
        self.site_dir = site_dir.resolve()  # as the build names the files the watcher names
        self.out_dir = self.site_dir / FOLDER / PREVIEW_FOLDER
        self.drafts, self.future = drafts, future
        self.files_lock = threading.Lock()  # held while a build puts files in place
        self.problems: tuple[str, ...] = ()
        self.generation = 0
        self.base_path = "/"
        self.default_language = "en"
        self.languages: tuple[str, ...] = ()
        self._listeners: set[queue.Queue[Event]] = set()
        self._listeners_lock = threading.Lock()
        self._changed = threading.Event()
        self._changes: set[str] | None = None  # what the watcher named since the last build
        self._changes_lock = threading.Lock()
        self._stopping = threading.Event()
        self._cache: Cache | None = None  # used under cache_lock: by builds and the status page
        self.cache_lock = threading.Lock()

    def configure(self, config: SiteConfig) -> None:
        """Where the site lives under its base URL, and its languages (for 404 pages)."""
        self.base_path = urls.Linker(config.base_url).base_path
        self.default_language, self.languages = config.default_language, config.codes

    def options(self) -> BuildOptions:
        return BuildOptions(now=build_clock(), drafts=self.drafts, future=self.future)

    def rebuild(self, changes: set[str] | None = None, jobs: int | None = 1) -> bool:
        """Build the site; on failure the last good pages stay served and the errors are shown.

        `changes` are the paths the watcher saw change since the last build: then no other
        source is looked at. Without them, every source is."""
        if self._cache is None:
            self._cache = open_cache(self.site_dir, True)
        started = time.perf_counter()
        try:
            with self.cache_lock:
                self._cache.watched = changes is not None
                self._cache.forget(changes or ())
                result = build(self.site_dir, self.options(), self.out_dir, jobs=jobs,
                               cache=self._cache, lock=self.files_lock)
        except BuildFailed as failed:
            problems = tuple(str(d) for d in failed.diagnostics)
            if changes is None and problems == self.problems:
                return False  # a look at every source found what is already shown
            self.problems = problems
            for problem in self.problems:
                print(problem, file=sys.stderr, flush=True)
            print(f"sitegen: the preview keeps the last good build; fix "
                  f"{'this' if len(self.problems) == 1 else 'these'} and save again",
                  file=sys.stderr, flush=True)
            self.publish(Event("problems", json.dumps(self.problems)))
            return False
        self.configure(result.config)
        # From now on only this process writes the preview's folder: its records are trusted.
        self._cache.owns_output = True
        fixed, self.problems = bool(self.problems), ()
        self.generation += 1
        _settle_memory(self.generation)
        renewed = result.report.renewed
        if changes is not None or renewed:  # a check that finds nothing goes unmentioned
            print(f"sitegen: rebuilt in {time.perf_counter() - started:.2f}s "
                  f"({result.report.written} written, {result.report.removed} removed)",
                  flush=True)
        if renewed or fixed:
            paths = ["*"] if len(renewed) > MAX_RELOAD_PATHS else list(renewed)
            self.publish(Event("renewed", json.dumps({"paths": paths,
                                                      "generation": self.generation})))
        return True

    def status_page(self) -> bytes:
        """`sitegen status` as a page, each version linked to its preview where it has one."""
        from .assemble import is_published
        from .status import page, status

        options = self.options()
        try:
            with self.cache_lock:
                report = status(self.site_dir, options.now, self._cache)
        except BuildFailed as failed:
            problems = html.escape("\n".join(str(d) for d in failed.diagnostics))
            return (f"<!doctype html><meta charset=utf-8><title>Translation status</title>"
                    f"<pre>{problems}</pre>\n").encode()
        href = {v.article.source: self.base_path + v.article.path
                for story in report.stories for v in story.versions
                if v.article is not None and is_published(v.article, options)}
        return page(report, href).encode()

    # Rebuilding on changes -----------------------------------------------------------------

    def changed(self, paths: list[str] | None) -> None:
        """Called by the watcher with the paths of every relevant file event; None when any
        source may have changed."""
        with self._changes_lock:
            if paths is None or self._changes is None:
                self._changes = None
            else:
                self._changes.update(paths)
        self._changed.set()

    def run_builder(self) -> None:
        """Coalesce bursts of events into one build; events during a build cause another, so
        the last saved state always wins. Builds look only at what the watcher named; after a
        while of quiet, one build looks at every source, in case the watcher missed an event
        (an overflowing event queue, a folder it cannot watch)."""
        checked, quiet_since = False, time.monotonic()
        while not self._stopping.is_set():
            if not self._changed.wait(0.2):
                if not checked and time.monotonic() - quiet_since > CHECK_AFTER:
                    self.changed(None)
                continue
            while self._changed.is_set():  # wait for the burst to end
                self._changed.clear()
                time.sleep(QUIET)
            with self._changes_lock:
                changes, self._changes = self._changes, set()
            if not self._stopping.is_set():
                try:
                    self.rebuild(changes)
                except Exception as exc:  # noqa: BLE001 - the preview must outlive any surprise
                    print(f"sitegen: error: {exc!r}", file=sys.stderr, flush=True)
            checked, quiet_since = changes is None, time.monotonic()

    def stop(self) -> None:
        self._stopping.set()
        self.publish(Event("stop", ""))

    # Live reload -----------------------------------------------------------------------------

    def publish(self, event: Event) -> None:
        with self._listeners_lock:
            for listener in self._listeners:
                listener.put(event)

    def listen(self) -> Iterator[Event | None]:
        """Events for one browser page; None now and then, so that a closed page is noticed."""
        listener: queue.Queue[Event] = queue.Queue()
        with self._listeners_lock:
            self._listeners.add(listener)
        try:
            yield Event("hello", json.dumps({"generation": self.generation,
                                             "base": self.base_path}))
            if self.problems:
                yield Event("problems", json.dumps(self.problems))
            while not self._stopping.is_set():
                try:
                    event = listener.get(timeout=0.5)
                except queue.Empty:
                    yield None
                    continue
                if event.name == "stop":
                    return
                yield event
        finally:
            with self._listeners_lock:
                self._listeners.discard(listener)

    # Files -------------------------------------------------------------------------------------

    def resolve(self, url_path: str) -> tuple[Path | None, str | None]:
        """(file to serve, None), (None, redirect location) or (None, None) if there is none.

        Nothing outside the output folder is ever served: `..`, encoded or not, absolute paths
        and symbolic links that lead out all come to nothing."""
        path = unquote(url_path)
        if "\0" in path or "\\" in path or not path.startswith(self.base_path):
            return None, None
        relative = posixpath.normpath("/" + path[len(self.base_path):]).lstrip("/")
        if relative.startswith(("..", ".sitegen")):
            return None, None
        root = os.path.realpath(self.out_dir)
        candidate = os.path.realpath(os.path.join(root, relative))
        if candidate != root and not candidate.startswith(root + os.sep):
            return None, None
        if os.path.isdir(candidate):
            if not url_path.endswith("/"):
                return None, url_path + "/"
            candidate = os.path.join(candidate, "index.html")
        if os.path.isfile(candidate) and os.path.basename(candidate) != ".sitegen-files":
            return Path(candidate), None
        return None, None

    def not_found_page(self, url_path: str) -> Path | None:
        """The 404 page in the language the URL is in, or the default language's."""
        rest = unquote(url_path)[len(self.base_path):] if url_path.startswith(self.base_path) \
            else ""
        first = rest.split("/", 1)[0]
        lang = first if first in self.languages else self.default_language
        page = self.out_dir / urls.not_found(lang)
        return page if page.is_file() else None


class Handler(BaseHTTPRequestHandler):
    """GET and HEAD of the preview's files, the live-reload script and its event stream."""

    preview: Preview
    server_version = "sitegen"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.respond(with_body=True)

    def do_HEAD(self) -> None:
        self.respond(with_body=False)

    def respond(self, with_body: bool) -> None:
        path = urlsplit(self.path).path or "/"
        if path == EVENTS:
            return self.stream_events() if with_body else self.send_bytes(
                HTTPStatus.OK, b"", "text/event-stream", with_body)
        if path == SCRIPT:
            return self.send_bytes(HTTPStatus.OK, LIVE_SCRIPT, TYPES[".js"], with_body)
        if path == STATUS.rstrip("/"):
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", STATUS)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if path == STATUS:
            return self.send_bytes(HTTPStatus.OK, self.preview.status_page(), TYPES[".html"],
                                   with_body)
        with self.preview.files_lock:  # open before a rebuild can swap the file away
            found, redirect = self.preview.resolve(path)
            if redirect is not None:
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", redirect)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            status = HTTPStatus.OK
            if found is None:
                status, found = HTTPStatus.NOT_FOUND, self.preview.not_found_page(path)
            data = found.read_bytes() if found is not None else b"Not found\n"
        kind = TYPES.get(found.suffix.lower()) if found is not None else None
        kind = kind or (mimetypes.guess_type(found.name)[0] if found is not None else None) \
            or ("text/plain; charset=utf-8" if found is None else "application/octet-stream")
        if kind.startswith("text/html"):
            data = with_live_script(data, self.preview.generation)
        return self.send_bytes(status, data, kind, with_body)

    def send_bytes(self, status: HTTPStatus, data: bytes, kind: str, with_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if with_body:
            self.wfile.write(data)

    def stream_events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            self.wfile.write(b"retry: 500\n\n")
            for event in self.preview.listen():
                message = b": ping\n\n" if event is None else \
                    f"event: {event.name}\ndata: {event.data}\n\n".encode()
                self.wfile.write(message)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code == HTTPStatus.NOT_IMPLEMENTED:  # any method but GET and HEAD
            code, message = HTTPStatus.METHOD_NOT_ALLOWED, "Only GET and HEAD"
        self.send_response(code, message)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal is for build messages


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # many pages and their assets at once


def _settle_memory(generation: int) -> None:
    """Keep the garbage collector off the memo: what survived a build is frozen out of its
    scans, which otherwise walk every article and page of a large site during the next save.
    Now and then a full collection frees cycles among what was frozen and let go since."""
    if generation % 64 == 0:
        gc.unfreeze()
        gc.collect()
    gc.freeze()


def with_live_script(page: bytes, generation: int) -> bytes:
    """The page with the live-reload script before `</body>` (or at its end); the script knows
    which build the page came from, so a rebuild that ends before it connects is not missed."""
    tag = f'<script src="{SCRIPT}" data-generation="{generation}"></script>\n'.encode()
    at = page.rfind(b"</body>")
    return page[:at] + tag + page[at:] if at != -1 else page + tag


def serve(site_dir: Path, host: str, port: int, drafts: bool, future: bool,
          announce: Callable[[str], None]) -> int:
    """Run the preview until interrupted; returns the exit status."""
    preview = Preview(site_dir, drafts, future)
    # A broken configuration stops `serve` before it starts.
    preview.configure(load_config(preview.site_dir))
    preview.rebuild(jobs=None)  # on all cores, before any thread exists to make forking unsafe
    handler = type("BoundHandler", (Handler,), {"preview": preview})
    server = PreviewServer((host, port), handler)
    watcher = Watcher(preview.site_dir, preview.changed)
    watcher.start()
    builder = threading.Thread(target=preview.run_builder, name="builder", daemon=True)
    builder.start()
    host_shown, port_shown = str(server.server_address[0]), server.server_address[1]
    if ":" in host_shown:
        host_shown = f"[{host_shown}]"
    announce(f"sitegen: serving http://{host_shown}:{port_shown}{preview.base_path} "
             "(Ctrl-C to stop)")
    announce(f"sitegen: translation status at http://{host_shown}:{port_shown}{STATUS}")
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
        watcher.stop()
        server.server_close()
    return 0


LIVE_SCRIPT = (Path(__file__).parent / "live.js").read_bytes()
