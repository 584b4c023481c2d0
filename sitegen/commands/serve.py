"""`sitegen serve`: build, serve the output over HTTP, rebuild on save, reload open pages.

The preview is built by the same pipeline as `sitegen build` (through `preview.Session`, which
keeps the build cache in memory between rebuilds), into a folder in the site's cache folder. The server adds one thing to the
files it serves: a small script in HTML pages that listens for rebuilds (Server-Sent Events),
reloads the page when it changed, and shows build errors over the page until they are fixed.
"""

from __future__ import annotations

import errno
import gc
import html
import ipaddress
import json
import mimetypes
import os
import posixpath
import queue
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, unquote, urlsplit

from .. import urls
from ..assemble import BuildOptions, build_clock
from ..build import load_config
from ..cache import FOLDER
from ..config import SiteConfig
from ..errors import BuildFailed, counted, stage_of
from ..outputs import REDIRECT_RULES
from .preview import Session
from .watch import Watcher

PREVIEW_FOLDER = "preview"
EVENTS = "/_sitegen/events"
SCRIPT = "/_sitegen/live.js"
STATUS = "/_status/"  # the translation status page, only ever served by the preview
QUIET = 0.01  # seconds without a new event before a burst of saves is built
CHECK_AFTER = 2.0  # seconds of quiet after which every source is looked at once more
INDEX_AFTER = 0.5  # seconds of quiet after which the search index catches up with the pages
MAX_RELOAD_PATHS = 500  # beyond this many renewed files, every open page reloads
IDLE_TIMEOUT = 10.0  # seconds a connection may keep the server waiting for its request
CHUNK = 256 * 1024  # bytes of a file sent at a time: a large video is never read whole
NOT_FOUND = b"<!doctype html>\n<meta charset=utf-8>\n<title>Not found</title>\n<p>Not found</p>\n"

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
        self.problems: tuple[str, ...] = ()
        self.generation = 0  # of the pages: goes up with each build that renews any
        self.builds = 0  # that succeeded
        self.base_path = "/"
        self.default_language = "en"
        self.languages: tuple[str, ...] = ()
        self._listeners: set[queue.Queue[Event]] = set()
        self._listeners_lock = threading.Lock()
        self._changed = threading.Event()
        self._changes: set[str] | None = None  # what the watcher named since the last build
        self._changes_lock = threading.Lock()
        self._stopping = threading.Event()
        self._session: Session | None = None  # used under session_lock: builds, status page
        self.session_lock = threading.Lock()
        self._moves: tuple[tuple[int, ...], dict[str, str]] = ((), {})  # see moved()

    def configure(self, config: SiteConfig) -> None:
        """Where the site lives under its base URL, and its languages (for 404 pages)."""
        self.base_path = urls.Linker(config.base_url).base_path
        self.default_language, self.languages = config.default_language, config.codes

    def options(self) -> BuildOptions:
        return BuildOptions(now=build_clock(), drafts=self.drafts, future=self.future)

    def rebuild(self, changes: set[str] | None = None, jobs: int | None = 1,
                index: bool = True) -> bool:
        """Build the site; on failure the last good pages stay served and the errors are shown.
        `index` False: the search index may lag behind the pages until `index_search()`.

        `changes` are the paths the watcher saw change since the last build: then no other
        source is looked at. Without them, every source is."""
        started = time.perf_counter()
        try:
            with self.session_lock:
                if self._session is None:
                    self._session = Session(self.site_dir, self.out_dir)
                result = self._session.build(self.options(), changes, jobs or 1)
        except BuildFailed as failed:
            return self.fail(tuple(str(d) for d in failed.diagnostics), changes)
        except OSError as exc:  # a file that cannot be read or written: the user's to fix
            return self.fail((_os_error(exc, self.site_dir),), changes)
        except Exception as exc:  # noqa: BLE001 - a bug in sitegen must not end the preview
            self._forget_memo()  # it may hold half of what the failed build made
            stage = stage_of(exc)
            problem = (f"sitegen: internal error while building"
                       f"{f' ({stage})' if stage else ''} (a bug in sitegen): "
                       f"{type(exc).__name__}: {exc}")
            return self.fail((problem,), changes, traceback.format_exc())
        self.configure(result.config)
        fixed, self.problems = bool(self.problems), ()
        self.builds += 1
        _settle_memory(self.builds)
        renewed = result.report.renewed
        took = time.perf_counter() - started
        for warning in result.warnings:
            print(f"sitegen: warning: {warning}", file=sys.stderr, flush=True)
        if self.builds == 1:
            print(f"sitegen: built {counted(result.articles, 'article')}, "
                  f"{counted(result.files, 'file')} in {took:.2f}s", flush=True)
        elif changes is not None or renewed:  # a check that finds nothing goes unmentioned
            print(f"sitegen: rebuilt in {took:.2f}s "
                  f"({result.report.written} written, {result.report.removed} removed)",
                  flush=True)
        if renewed or fixed:  # else an open page that reconnects need not reload
            self.generation += 1
            paths = ["*"] if len(renewed) > MAX_RELOAD_PATHS else list(renewed)
            self.publish(Event("renewed", json.dumps({"paths": paths,
                                                      "generation": self.generation})))
        if index:
            self.index_search()
        return True

    def index_search(self) -> None:
        """Once the open pages have what was saved, bring the search index up to them."""
        try:
            with self.session_lock:
                if self._session is not None:
                    self._session.index()
        except (BuildFailed, OSError) as exc:
            print(f"sitegen: warning: the search index is not up to date: {exc}",
                  file=sys.stderr, flush=True)
        except Exception as exc:  # noqa: BLE001 - the preview must outlive any surprise
            traceback.print_exc()
            print(f"sitegen: internal error while indexing (a bug in sitegen): "
                  f"{type(exc).__name__}: {exc}", file=sys.stderr, flush=True)

    def fail(self, problems: tuple[str, ...], changes: set[str] | None,
             details: str = "") -> bool:
        """Say what stopped a build, in the terminal and over every open page, once."""
        if changes is None and problems == self.problems:
            return False  # a look at every source found what is already shown
        self.problems = problems
        if details:
            print(details, end="", file=sys.stderr)
        for problem in self.problems:
            print(problem, file=sys.stderr)
        kept = "the preview keeps the last good build" if self.builds else \
            "the preview shows the site once it builds"
        then = "it builds again on the next save" if details else \
            f"fix {'this' if len(self.problems) == 1 else 'these'} and save again"
        print(f"sitegen: {kept}; {then}", file=sys.stderr, flush=True)
        self.publish(Event("problems", json.dumps(self.problems)))
        return False

    def _forget_memo(self) -> None:
        """Start the next build from the cache on disk rather than from the memo in memory."""
        with self.session_lock:
            if self._session is not None:
                self._session.close()
            self._session = None

    def status_page(self) -> bytes:
        """`sitegen status` as a page, each version linked to its preview where it has one."""
        from ..assemble import is_published
        from .status import page, status

        options = self.options()
        try:
            with self.session_lock:
                report = status(self.site_dir, options.now,
                                self._session.remembered if self._session else None)
        except BuildFailed as failed:
            return _problems_page("\n".join(str(d) for d in failed.diagnostics))
        except OSError as exc:
            return _problems_page(_os_error(exc, self.site_dir))
        except Exception as exc:  # noqa: BLE001 - a bug in sitegen must not end the preview
            traceback.print_exc()
            return _problems_page(f"sitegen: internal error (a bug in sitegen): "
                                  f"{type(exc).__name__}: {exc}")
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
        (an overflowing event queue, a folder it cannot watch). The search index catches up
        after a shorter quiet, so that an editor saving again need not wait for it."""
        checked, indexed, quiet_since = False, True, time.monotonic()
        while not self._stopping.is_set():
            if not self._changed.wait(0.1):
                quiet = time.monotonic() - quiet_since
                if not indexed and quiet > INDEX_AFTER:  # an editor saving again comes first
                    self.index_search()
                    indexed = True
                if not checked and quiet > CHECK_AFTER:
                    self.changed(None)
                continue
            while self._changed.is_set():  # wait for the burst to end
                self._changed.clear()
                time.sleep(QUIET)
            with self._changes_lock:
                changes, self._changes = self._changes, set()
            if not self._stopping.is_set():
                try:
                    self.rebuild(changes, index=False)
                except Exception as exc:  # noqa: BLE001 - the preview must outlive any surprise
                    traceback.print_exc()
                    print(f"sitegen: internal error after a build (a bug in sitegen): "
                          f"{type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            checked, indexed, quiet_since = changes is None, False, time.monotonic()

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
        moved = self.moved(path)
        if moved is not None:
            return None, moved
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

    def moved(self, path: str) -> str | None:
        """Where the build's `_redirects` sends an old URL (`path` decoded) with a 301, as
        Netlify would: the redirects the build wrote, and the site's own such rules. A path
        without its trailing slash finds the rule of the folder too."""
        rules = self.out_dir / REDIRECT_RULES
        seen: tuple[int, ...] = ()
        try:
            stat = rules.stat()
            seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        except OSError:
            pass
        if seen != self._moves[0]:
            try:
                text = rules.read_text("utf-8", "replace") if seen else ""
            except OSError:
                text = ""
            self._moves = (seen, moves_of(text))
        moves = self._moves[1]
        return moves.get(quote(path)) or moves.get(quote(path) + "/")

    def not_found_page(self, url_path: str) -> Path | None:
        """The 404 page in the language the URL is in, or the default language's."""
        rest = unquote(url_path)[len(self.base_path):] if url_path.startswith(self.base_path) \
            else ""
        first = rest.split("/", 1)[0]
        lang = first if first in self.languages else self.default_language
        page = self.out_dir / urls.not_found(lang)
        return page if page.is_file() else None


@dataclass(frozen=True, slots=True)
class HostCheck:
    """The Host headers the preview answers: the address it listens on and, on this computer's
    loopback, its usual names. A page on another site that a DNS trick points at the preview
    (DNS rebinding) still names its own site in Host, and so can read neither the status page
    nor an embargoed draft."""

    url: str  # the address it was started with, to tell whoever asks elsewhere
    port: int
    names: frozenset[str]  # lowercase, IPv6 addresses in brackets
    any_address: bool  # listening on every interface: any IP address of this computer will do

    @classmethod
    def of(cls, host: str, address: str, port: int) -> HostCheck:
        names = {_bracketed(host.lower()), _bracketed(address.lower())} - {""}
        ip = _ip_address(address)
        every = ip is not None and ip.is_unspecified
        if every or (ip is not None and ip.is_loopback) or host.lower() == "localhost":
            names |= {"localhost", "127.0.0.1", "[::1]"}
        if every:
            names.add(socket.gethostname().lower())
        shown = "localhost" if every else _bracketed(address)
        return cls(f"http://{shown}:{port}/", port, frozenset(names), every)

    def admits(self, value: str) -> bool:
        value = value.strip().lower()
        name, _, port = value.rpartition(":") if not value.endswith("]") else (value, "", "80")
        if not name:  # no port: the default one
            name, port = value, "80"
        if not (port.isascii() and port.isdigit()) or int(port) != self.port:
            return False
        if name in self.names:
            return True
        if not self.any_address:
            return False
        if name.startswith("[") and name.endswith("]"):
            return isinstance(_ip_address(name[1:-1]), ipaddress.IPv6Address)
        return isinstance(_ip_address(name), ipaddress.IPv4Address)


def _ip_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _bracketed(host: str) -> str:
    """An IPv6 address as it is written in a URL."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


class Handler(BaseHTTPRequestHandler):
    """GET and HEAD of the preview's files, the live-reload script and its event stream."""

    preview: Preview
    hosts: HostCheck
    server_version = "sitegen"
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT  # a client that opens a connection and says nothing is let go

    def do_GET(self) -> None:
        self.respond(with_body=True)

    def do_HEAD(self) -> None:
        self.respond(with_body=False)

    def respond(self, with_body: bool) -> None:
        if not self.addressed_here(with_body):
            return None
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
        file = _opened(found)
        if file is None or found is None:  # not even a 404 page: nothing built yet
            page = with_live_script(NOT_FOUND, self.preview.generation)  # to show why
            return self.send_bytes(status, page, TYPES[".html"], with_body)
        with file:
            kind = TYPES.get(found.suffix.lower()) or mimetypes.guess_type(found.name)[0] \
                or "application/octet-stream"
            if kind.startswith("text/html"):
                page = with_live_script(file.read(), self.preview.generation)
                return self.send_bytes(status, page, kind, with_body)
            return self.send_file(status, file, kind, with_body)

    def addressed_here(self, with_body: bool) -> bool:
        """True if the request names this preview in its Host header; else it is answered."""
        hosts = self.headers.get_all("Host") or []
        if len(hosts) > 1 or (not hosts and self.request_version != "HTTP/1.0"):
            self.send_bytes(HTTPStatus.BAD_REQUEST, b"sitegen serve: a request needs one Host "
                            b"header\n", TYPES[".txt"], with_body, close=True)
            return False
        # HTTP/1.0 needs no Host; browsers always send one, so such a request is no web page's.
        if hosts and not self.hosts.admits(hosts[0]):
            self.send_bytes(HTTPStatus.FORBIDDEN, f"sitegen serve: this is the preview at "
                            f"{self.hosts.url}; it answers no request for another "
                            "address\n".encode(), TYPES[".txt"], with_body, close=True)
            return False
        return True

    def send_head(self, status: HTTPStatus, kind: str, length: int, close: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()

    def send_bytes(self, status: HTTPStatus, data: bytes, kind: str, with_body: bool,
                   close: bool = False) -> None:
        self.send_head(status, kind, len(data), close)
        if with_body:
            self.wfile.write(data)

    def send_file(self, status: HTTPStatus, file: BinaryIO, kind: str, with_body: bool) -> None:
        """The file a piece at a time, however large: a video need not fit in memory."""
        left = os.fstat(file.fileno()).st_size
        self.send_head(status, kind, left)
        while with_body and left > 0:
            chunk = file.read(min(CHUNK, left))
            if not chunk:  # the file shrank: the browser must not wait for the rest
                self.close_connection = True
                return
            self.wfile.write(chunk)
            left -= len(chunk)

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

    def __init__(self, address: tuple[str, int], handler: type[Handler]) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A page closed or a download stopped halfway is nothing to report."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def moves_of(rules: str) -> dict[str, str]:
    """Old path (percent-encoded) -> new location of each `OLD NEW 301` rule in a `_redirects`
    file; rules with another status, splats, placeholders or conditions are the CDN's alone."""
    moves: dict[str, str] = {}
    for line in rules.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) == 3 and fields[2].rstrip("!") == "301" \
                and not any(c in fields[0] for c in "*:"):
            moves.setdefault(quote(unquote(fields[0])), fields[1])
    return moves


def _opened(found: Path | None) -> BinaryIO | None:
    """The file, opened; a rebuild may have swapped it away since it was found (the folder is
    exchanged whole, so what opens is one build's file or the other's)."""
    try:
        return found.open("rb") if found is not None else None
    except OSError:
        return None


def _os_error(exc: OSError, site_dir: Path) -> str:
    """`sitegen: error: Permission denied: content/x.en.md`, the path relative to the site."""
    where = str(exc.filename or "")
    if where and Path(where).is_absolute() and Path(where).is_relative_to(site_dir):
        where = Path(where).relative_to(site_dir).as_posix()
    return f"sitegen: error: {exc.strerror or exc}" + (f": {where}" if where else "")


def _problems_page(text: str) -> bytes:
    return (f"<!doctype html><meta charset=utf-8><title>Translation status</title>"
            f"<pre>{html.escape(text)}</pre>\n").encode()


def _settle_memory(builds: int) -> None:
    """Keep the garbage collector off the memo: what survived a build is frozen out of its
    scans, which otherwise walk every article and page of a large site during the next save.
    Now and then a full collection frees cycles among what was frozen and let go since."""
    if builds % 64 == 0:
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
    # A broken configuration, or none, stops `serve` before it starts.
    preview.configure(load_config(preview.site_dir))
    handler: type[Handler] = type("BoundHandler", (Handler,), {"preview": preview})
    try:  # before the build: a port that is taken is said at once
        server = PreviewServer((host, port), handler)
    except OSError as exc:
        print(f"sitegen: error: {_cannot_listen(host, port, exc)}", file=sys.stderr)
        return 1
    address, port = str(server.server_address[0]), server.server_address[1]
    handler.hosts = HostCheck.of(host, address, port)
    try:
        announce("sitegen: building the site...")
        preview.rebuild(jobs=None)  # on all cores, before any thread exists to make forking unsafe
        watcher = Watcher(preview.site_dir, preview.changed)
        watcher.start()
        builder = threading.Thread(target=preview.run_builder, name="builder", daemon=True)
        builder.start()
        shown = f"{_bracketed(address)}:{port}"
        announce(f"sitegen: serving http://{shown}{preview.base_path} (Ctrl-C to stop)")
        announce(f"sitegen: translation status at http://{shown}{STATUS}")
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            preview.stop()
            watcher.stop()
    finally:
        server.server_close()
    return 0


def _cannot_listen(host: str, port: int, exc: OSError) -> str:
    where = f"{_bracketed(host)}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return (f"{where} is already in use (by another preview?); stop it, or pick another "
                "port with --port (0 picks a free one)")
    if exc.errno == errno.EACCES:
        return f"cannot listen on {where}: permission denied (try a port above 1023)"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {where}: not an address of this computer"
    return f"cannot listen on {where}: {exc.strerror or exc}"


LIVE_SCRIPT = (Path(__file__).parent / "live.js").read_bytes()
