"""`sitegen serve`: the real server in a subprocess, spoken to over real sockets."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import pytest
from conftest import Site, article, hreflangs, tree

from sitegen.commands.watch import is_source

STARTUP = 30.0  # seconds for the interpreter to start and the first build to finish
DEADLINE = 10.0  # seconds for a save to show
LIVE_TAG = re.compile(rb'<script src="/_sitegen/live\.js[^"]*"[^>]*></script>\n?')
SERVING = re.compile(r"^sitegen: serving http://(?P<host>\[[^\]]+\]|[^:/]+):(?P<port>\d+)"
                     r"(?P<base>/\S*) \(Ctrl-C to stop\)$")

EN_FILE, ES_FILE = "content/news/story.en.md", "content/news/story.es.md"
EN_PAGE, ES_PAGE = "/en/news/hello/", "/es/news/hola/"
EN_OUT, ES_OUT = "en/news/hello/index.html", "es/news/hola/index.html"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def en_story(title: str = "Hello World", body: str = "First paragraph.\n\nSecond paragraph.\n",
             **fields: str) -> str:
    return article(title, body=body, slug="hello", tags="[cuba]", authors="[Staff]", **fields)


def es_story(title: str = "Hola Mundo",
             body: str = "Primer párrafo.\n\nSegundo párrafo.\n") -> str:
    return article(title, body=body, slug="hola", tags="[cuba]", authors="[Redacción]")


SITE_FILES = {
    EN_FILE: en_story(),
    ES_FILE: es_story(),
    "content/world/other.en.md": article("Other News", date="2015-01-10T09:00:00-05:00"),
    "static/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n',
}


def title_of(page: bytes) -> str:
    match = re.search(rb"<title>(.*?)</title>", page, re.DOTALL)
    assert match, page[:300]
    return match.group(1).decode()


# The server --------------------------------------------------------------------------------------

@dataclass
class Response:
    status: int
    headers: Message
    body: bytes

    @property
    def type(self) -> str:
        return self.headers.get("Content-Type", "")


class Lines:
    """Every line a pipe gives, collected by a thread so that the pipe never fills up."""

    def __init__(self, pipe: Any) -> None:
        self.lines: list[str] = []
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self.thread.start()

    def _read(self, pipe: Any) -> None:
        for line in pipe:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait(self, predicate: Callable[[str], Any], timeout: float, start: int = 0) -> str:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines[start:]:
                    if predicate(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no such line within {timeout}s in {self.lines!r}")
                self.cond.wait(left)

    def __len__(self) -> int:
        with self.cond:
            return len(self.lines)

    @property
    def text(self) -> str:
        with self.cond:
            return "\n".join(self.lines)


def sitegen_command(*args: str) -> list[str]:
    """`python -m sitegen.cli ARGS`; under coverage when the tests run under coverage, so that
    the server's code counts too (pytest-cov combines the data files left beside its own)."""
    python = [sys.executable]
    try:
        import coverage
    except ImportError:  # pragma: no cover
        coverage = None
    current = coverage.Coverage.current() if coverage is not None else None
    if current is not None:
        python += ["-m", "coverage", "run", "--parallel-mode",
                   f"--data-file={current.get_data().base_filename()}"]
        if current.config.config_file:
            python.append(f"--rcfile={current.config.config_file}")
    return [*python, "-m", "sitegen.cli", *args]


class Server:
    """`sitegen serve -s SITE --port 0` in a subprocess; stopped by `stop()` in any case."""

    def __init__(self, site: Site, *options: str) -> None:
        self.site = site
        command = sitegen_command("serve", "-s", str(site.root), "--port", "0", *options)
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, encoding="utf-8", env=dict(os.environ),
                                     cwd=site.root)
        self.out, self.err = Lines(self.proc.stdout), Lines(self.proc.stderr)
        try:
            line = self.out.wait(lambda l: SERVING.match(l) or self.proc.poll() is not None,
                                 STARTUP)
            match = SERVING.match(line)
            assert match, f"server did not start: {line!r}\n{self.err.text}"
        except BaseException:
            self.stop()
            raise
        self.line = line
        self.host, self.port, self.base = match["host"], int(match["port"]), match["base"]

    @property
    def out_dir(self) -> Path:
        return self.site.root / ".sitegen-cache" / "preview"

    def stop(self) -> None:
        for stop in (lambda: self.proc.send_signal(signal.SIGINT), self.proc.terminate,
                     self.proc.kill):
            if self.proc.poll() is not None:
                break
            stop()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        for lines in (self.out, self.err):
            lines.thread.join(5)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()

    def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                body: bytes | None = None) -> Response:
        """One request with the path sent exactly as given (http.client does not normalise)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            response = conn.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            conn.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def page(self, path: str) -> bytes:
        response = self.get(path)
        assert response.status == 200, (path, response.status)
        return response.body

    def wait_page(self, path: str, predicate: Callable[[bytes], bool],
                  timeout: float = DEADLINE) -> bytes:
        """The page once `predicate` holds for it, polled until the deadline."""
        deadline = time.monotonic() + timeout
        while True:
            response = self.get(path)
            if response.status == 200 and predicate(response.body):
                return response.body
            if time.monotonic() > deadline:
                raise AssertionError(f"{path} did not change within {timeout}s; it is "
                                     f"{response.status} {title_of(response.body)!r}\n"
                                     f"stdout:\n{self.out.text}\nstderr:\n{self.err.text}")
            assert self.proc.poll() is None, f"server exited\n{self.err.text}"
            time.sleep(0.05)


class Events:
    """A client of /_sitegen/events over a raw socket; a thread collects (event, data) pairs."""

    def __init__(self, server: Server) -> None:
        self.sock = socket.create_connection((server.host, server.port), timeout=10)
        self.sock.sendall(f"GET /_sitegen/events HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n"
                          "Accept: text/event-stream\r\n\r\n".encode())
        self.file = self.sock.makefile("rb")
        status = self.file.readline()
        assert status.startswith(b"HTTP/1.1 200"), status
        headers = {}
        while (line := self.file.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        assert headers.get("content-type", "").startswith("text/event-stream"), headers
        self.events: list[tuple[str, str]] = []
        self.closed = False
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        name, data = "message", []
        try:
            for raw in self.file:
                line = raw.decode().rstrip("\r\n")
                if line == "":
                    if data:
                        with self.cond:
                            self.events.append((name, "\n".join(data)))
                            self.cond.notify_all()
                    name, data = "message", []
                elif line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].removeprefix(" "))
        except OSError:
            pass
        finally:
            with self.cond:
                self.closed = True
                self.cond.notify_all()

    def wait(self, predicate: Callable[[str, str], Any], timeout: float = DEADLINE,
             start: int = 0) -> tuple[int, str, str]:
        """(index, event, data) of the first event from `start` on for which predicate holds."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for index in range(start, len(self.events)):
                    if predicate(*self.events[index]):
                        return (index, *self.events[index])
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    raise AssertionError(f"no such event within {timeout}s: {self.events!r}")
                self.cond.wait(left)

    def __len__(self) -> int:
        with self.cond:
            return len(self.events)

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(5)


@pytest.fixture
def site(make_site: Callable[..., Site]) -> Site:
    site = make_site(SITE_FILES)
    (site.root / "static" / "fonts").mkdir(parents=True)
    (site.root / "static" / "fonts" / "body.woff2").write_bytes(b"wOF2\x00\x01\x00\x00fontdata")
    (site.root / "static" / "img").mkdir(parents=True)
    (site.root / "static" / "img" / "pixel.png").write_bytes(PNG)
    return site


@pytest.fixture
def start() -> Any:
    """start(site, *options) -> a running Server; every one is stopped at teardown."""
    servers: list[Server] = []

    def starter(site: Site, *options: str) -> Server:
        server = Server(site, *options)
        servers.append(server)
        return server

    yield starter
    for server in servers:
        server.stop()


@pytest.fixture
def server(site: Site, start: Callable[..., Server]) -> Server:
    return start(site)


@pytest.fixture
def reference(tmp_path: Path) -> Callable[[Site], Path]:
    """reference(site) -> the folder a fresh `sitegen build -o OUT` of the site's files wrote."""
    count = 0

    def build(site: Site) -> Path:
        nonlocal count
        count += 1
        out = tmp_path / f"reference-{count}"
        result = site.build("-o", str(out), "--no-cache", "-j", "1")
        assert result.code == 0, result.err
        return out

    return build


def without_live_script(page: bytes) -> bytes:
    return LIVE_TAG.sub(b"", page)


def assert_serves(server: Server, out: Path) -> int:
    """Every file of a build's output folder is served: HTML with only the live script added
    (once, before </body>), everything else byte for byte, once the search index has caught
    up with the pages (a moment after a save). Returns how many were compared."""
    files = tree(out)
    entry = files.get("pagefind/pagefind-entry.json")
    deadline = time.monotonic() + DEADLINE
    while entry is not None and server.get("/pagefind/pagefind-entry.json").body != entry:
        assert time.monotonic() < deadline, "the search index never caught up"
        time.sleep(0.05)
    compared = 0
    for rel, data in files.items():
        if rel == ".sitegen-files":
            continue
        urls = ["/" + quote(rel)]
        if rel == "index.html" or rel.endswith("/index.html"):
            urls.append("/" + quote(rel[: -len("index.html")]))
        for url in urls:
            response = server.get(url)
            assert response.status == 200, (url, response.status)
            if rel.endswith(".html"):
                assert response.body.count(b"/_sitegen/live.js") == 1, url
                assert re.search(LIVE_TAG.pattern + rb"</body>", response.body), url
                assert without_live_script(response.body) == data, url
            else:
                assert response.body == data, url
            compared += 1
    return compared


# 1. Address --------------------------------------------------------------------------------------

def _other_addresses() -> set[str]:
    """This machine's non-loopback IPv4 addresses, as far as they can be found without psutil."""
    found: set[str] = set()
    try:
        found.update(info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None,
                                                                socket.AF_INET))
    except OSError:
        pass
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.254.254.254", 9))  # no packet is sent: it only picks a route
        found.add(probe.getsockname()[0])
    except OSError:
        pass
    finally:
        probe.close()
    return {a for a in found if not a.startswith("127.") and a != "0.0.0.0"}


def test_prints_its_url_with_the_real_port_and_listens_on_loopback_only(server: Server):
    assert server.host == "127.0.0.1"
    assert server.base == "/"
    assert 0 < server.port < 65536 and server.port != 8000
    assert server.line == f"sitegen: serving http://127.0.0.1:{server.port}/ (Ctrl-C to stop)"
    with socket.create_connection(("127.0.0.1", server.port), timeout=5):
        pass
    assert server.get("/").status == 200

    if shutil.which("ss"):
        listing = subprocess.run(["ss", "-ltnH"], check=False, capture_output=True, text=True,
                                 timeout=10)
        if listing.returncode == 0:
            local = [fields[3] for fields in map(str.split, listing.stdout.splitlines())
                     if len(fields) >= 4 and fields[3].rsplit(":", 1)[-1] == str(server.port)]
            assert local == [f"127.0.0.1:{server.port}"], listing.stdout

    for address in _other_addresses():
        with pytest.raises(OSError):
            socket.create_connection((address, server.port), timeout=2).close()


# 2. Same bytes as `sitegen build` ----------------------------------------------------------------

def test_serves_exactly_what_sitegen_build_writes(server: Server, site: Site, reference):
    out = reference(site)
    files = tree(out)
    assert {"en/feed.xml", "es/feed.xml", "sitemap.xml", EN_OUT, ES_OUT, "logo.svg",
            "fonts/body.woff2", "img/pixel.png"} <= files.keys()
    assert any(re.fullmatch(r"assets/css/site\.[0-9a-f]+\.css", rel) for rel in files)
    for rel, data in files.items():
        assert b"/_sitegen/" not in data, rel
    assert assert_serves(server, out) > len(files)
    # The preview folder itself is a plain build: the script exists only in responses.
    assert tree(server.out_dir) == files


# 3. Types and folders ----------------------------------------------------------------------------

def test_content_types(server: Server):
    page = server.get(EN_PAGE)
    assert page.status == 200
    assert page.type.split(";")[0] == "text/html"
    assert page.headers.get("Content-Length") == str(len(page.body))
    stylesheet = re.search(rb'<link rel="stylesheet" href="([^"]+)"', page.body)
    assert stylesheet, page.body[:500]
    css = server.get(stylesheet.group(1).decode())
    assert css.status == 200 and css.type.split(";")[0] == "text/css"
    assert b"/_sitegen/" not in css.body
    for xml in ("/en/feed.xml", "/es/feed.xml", "/sitemap.xml"):
        response = server.get(xml)
        assert response.status == 200
        assert re.fullmatch(r"(application|text)/([\w.+-]+\+)?xml", response.type.split(";")[0]), \
            (xml, response.type)
        assert b"/_sitegen/" not in response.body
    expected = {"/logo.svg": "image/svg+xml", "/fonts/body.woff2": "font/woff2",
                "/img/pixel.png": "image/png", "/robots.txt": "text/plain"}
    for path, kind in expected.items():
        response = server.get(path)
        assert response.status == 200, path
        assert response.type.split(";")[0] == kind, (path, response.type)
        assert b"/_sitegen/" not in response.body
    assert server.get("/_sitegen/live.js").type.split(";")[0] in ("text/javascript",
                                                                   "application/javascript")


def test_folder_without_slash_redirects_and_with_slash_serves_its_index(server: Server):
    for folder in ("/en", "/en/news", "/es/news/hola"):
        response = server.get(folder)
        assert response.status == 301, folder
        assert urlsplit(urljoin(f"http://{server.host}:{server.port}{folder}",
                                response.headers["Location"])).path == folder + "/"
        index = server.get(folder + "/")
        assert index.status == 200
        assert without_live_script(index.body) == (server.out_dir / folder.lstrip("/")
                                                   / "index.html").read_bytes()


def test_status_page_shows_every_story_and_follows_saves(server: Server, site: Site,
                                                          reference):
    assert server.get("/_status").status == 301
    page = server.get("/_status/")
    assert page.status == 200 and page.type.startswith("text/html")
    rows = re.findall(r"<tr><th scope=row>(.*?)</th>(.*?)</tr>", page.body.decode())
    assert ("news/story", '<td class="published" title="content/news/story.en.md">'
            f'<a href="{EN_PAGE}">published</a></td><td class="published" '
            f'title="content/news/story.es.md"><a href="{ES_PAGE}">published</a></td>') in rows
    assert any(name == "world/other" and 'class="missing"' in cells for name, cells in rows)

    site.write("content/world/other.es.md", article("Otra noticia"))
    server.wait_page("/_status/", lambda body: b'class="missing"' not in body)
    assert not (reference(site) / "_status").exists()  # only ever served by the preview


# 4. Not found, HEAD, other methods ---------------------------------------------------------------

def test_unknown_path_gives_404_page_of_the_urls_language(server: Server, site: Site, reference):
    out = reference(site)
    spanish = server.get("/es/nope/")
    assert spanish.status == 404
    assert spanish.type.split(";")[0] == "text/html"
    assert '<html lang="es"' in spanish.body.decode()
    assert without_live_script(spanish.body) == (out / "es/404.html").read_bytes()
    assert b"/_sitegen/live.js" in spanish.body

    for path in ("/nope/", "/en/nope", "/en/news/nope/index.html"):
        english = server.get(path)
        assert english.status == 404, path
        assert '<html lang="en"' in english.body.decode()
        assert without_live_script(english.body) == (out / "en/404.html").read_bytes()


def test_head_gives_headers_and_no_body(server: Server):
    get, head = server.get(EN_PAGE), server.request("HEAD", EN_PAGE)
    assert head.status == 200 and head.body == b""
    assert head.type == get.type
    assert head.headers["Content-Length"] == str(len(get.body))
    missing = server.request("HEAD", "/es/nope/")
    assert missing.status == 404 and missing.body == b""
    assert server.request("HEAD", "/en/feed.xml").body == b""


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_other_methods_are_not_allowed(server: Server, method: str):
    response = server.request(method, EN_PAGE, body=b"x=1")
    assert response.status == 405
    assert response.headers["Allow"] == "GET, HEAD"
    assert b"Hello World" not in response.body
    assert server.get(EN_PAGE).status == 200  # and it keeps serving


# 5. Nothing outside the output folder ------------------------------------------------------------

def test_nothing_outside_the_output_folder_is_served(server: Server, site: Site, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4711\n", "utf-8")
    (tmp_path / "secret-folder").mkdir()
    (tmp_path / "secret-folder" / "inside.txt").write_text("TOP-SECRET-4711\n", "utf-8")
    (server.out_dir / "leak.txt").symlink_to(secret)
    (server.out_dir / "en" / "leak.txt").symlink_to(secret)
    (server.out_dir / "leak-folder").symlink_to(tmp_path / "secret-folder")
    site.write("content/x.en.md", en_story("Hidden", slug_note="x"))  # not a valid article
    secrets = [b"TOP-SECRET-4711", b"base_url =", b"root:x:0:0", b"slug_note", b"---\ntitle:",
               b"en/index.html\nen/news/"]
    paths = ["/../sitegen.toml", "/%2e%2e/sitegen.toml", "/%2E%2E/sitegen.toml",
             "/%2e%2e%2f%2e%2e%2fetc/passwd", "//etc/passwd", "/..%2f..%2fcontent/x.en.md",
             "/../content/x.en.md", "/en/../../content/x.en.md", "/%2e%2e/%2e%2e/../secret.txt",
             "/../../../../../../../../etc/passwd", "/en/%00/../../sitegen.toml",
             "/index.html%00.css", "/%00", "/.sitegen-files", "/en/../.sitegen-files",
             "/%2esitegen-files", "/en/..%5c..%5csitegen.toml", "/..\\sitegen.toml",
             "/leak.txt", "/en/leak.txt", "/leak-folder/inside.txt", "/leak-folder/",
             "/../.sitegen-cache/cache.sqlite", "/../../secret.txt",
             "/%2e%2e/%2e%2e/secret.txt"]
    for path in paths:
        response = server.get(path)
        assert response.status in (400, 404), (path, response.status)
        for text in secrets:
            assert text not in response.body, (path, text)
    assert server.get(EN_PAGE).status == 200


# 6. Many at once ---------------------------------------------------------------------------------

def test_400_concurrent_requests(server: Server, site: Site, reference):
    out = reference(site)
    expected = {"/": out / "index.html", EN_PAGE: out / EN_OUT, ES_PAGE: out / ES_OUT,
                "/en/": out / "en/index.html", "/es/news/": out / "es/news/index.html",
                "/en/feed.xml": out / "en/feed.xml", "/sitemap.xml": out / "sitemap.xml",
                "/img/pixel.png": out / "img/pixel.png", "/logo.svg": out / "logo.svg"}
    wanted = {path: file.read_bytes() for path, file in expected.items()}
    paths = [list(wanted)[i % len(wanted)] for i in range(400)]

    def fetch(path: str) -> tuple[str, int, bytes]:
        response = server.get(path)
        return path, response.status, response.body

    with ThreadPoolExecutor(max_workers=80) as pool:
        results = list(pool.map(fetch, paths, timeout=60))
    assert len(results) == 400
    for path, status, body in results:
        assert status == 200, path
        got = without_live_script(body) if path.endswith("/") else body
        assert got == wanted[path], path


# 7-8. Rebuild on save ----------------------------------------------------------------------------

def test_a_save_is_rebuilt_and_served_as_sitegen_build_would(server: Server, site: Site,
                                                              reference):
    assert title_of(server.page(EN_PAGE)) == "Hello World | The Island Post"
    site.write(EN_FILE, en_story("Saved Again", body="A brand new paragraph.\n"))
    page = server.wait_page(EN_PAGE, lambda p: b"<title>Saved Again |" in p)
    assert b"A brand new paragraph." in page
    server.out.wait(lambda l: l.startswith("sitegen: rebuilt in "), DEADLINE, start=1)
    assert_serves(server, reference(site))

    site.write(ES_FILE, es_story("Hola Otra Vez", body="Un párrafo nuevo.\n"))
    page = server.wait_page(ES_PAGE, lambda p: b"<title>Hola Otra Vez |" in p)
    assert "Un párrafo nuevo." in page.decode()
    assert_serves(server, reference(site))
    assert "Traceback" not in server.err.text


@pytest.mark.parametrize("form", ["Burst {}", "Burst {:02d}"], ids=["growing", "same-size"])
def test_a_burst_of_saves_ends_with_the_last_one(server: Server, site: Site, reference,
                                                 form: str):
    for number in range(1, 11):
        site.write(EN_FILE, en_story(form.format(number)))
        time.sleep(0.004)
    last = form.format(10)
    server.wait_page(EN_PAGE, lambda p: title_of(p) == f"{last} | The Island Post")
    # Nothing built later takes it back: wait until the builds have stopped, then look again.
    deadline = time.monotonic() + DEADLINE
    seen = len(server.out)
    while True:
        time.sleep(0.4)
        if len(server.out) == seen or time.monotonic() > deadline:
            break
        seen = len(server.out)
    assert title_of(server.page(EN_PAGE)) == f"{last} | The Island Post"
    assert_serves(server, reference(site))


# 9. A broken save --------------------------------------------------------------------------------

def test_broken_save_keeps_the_last_good_page_and_reports_the_problem(server: Server,
                                                                       site: Site):
    events = Events(server)
    try:
        events.wait(lambda name, data: name == "hello")
        good_en, good_es = server.page(EN_PAGE), server.page(ES_PAGE)
        site.write(EN_FILE, "---\ntitle: [Broken\ndate: 2015-01-12\nslug: hello\n---\nBody.\n")
        _, _, data = events.wait(lambda name, data: name == "problems"
                                 and EN_FILE in data and "error" in data)
        problems = json.loads(data)
        assert isinstance(problems, list) and all(isinstance(p, str) for p in problems)
        assert any(re.match(rf"{re.escape(EN_FILE)}:\d+: error: ", p) for p in problems), problems
        line = server.err.wait(lambda l: re.match(rf"{re.escape(EN_FILE)}:\d+: error: ", l),
                               DEADLINE)
        assert "YAML" in line or "yaml" in line
        assert server.proc.poll() is None
        assert server.page(EN_PAGE) == good_en
        assert server.page(ES_PAGE) == good_es
        assert server.get("/en/").status == 200

        site.write(EN_FILE, en_story("Fixed Title", body="The fixed paragraph.\n"))
        page = server.wait_page(EN_PAGE, lambda p: b"<title>Fixed Title |" in p)
        assert b"The fixed paragraph." in page
        events.wait(lambda name, data: name == "renewed" and EN_OUT in json.loads(data)["paths"])
        assert server.proc.poll() is None
    finally:
        events.close()


def test_a_page_opened_while_broken_hears_of_the_problem(server: Server, site: Site):
    site.write(EN_FILE, "---\ntitle: [Broken\ndate: 2015-01-12\n---\nBody.\n")
    server.err.wait(lambda l: l.startswith(f"{EN_FILE}:"), DEADLINE)
    events = Events(server)
    try:
        events.wait(lambda name, data: name == "hello")
        events.wait(lambda name, data: name == "problems" and EN_FILE in data)
    finally:
        events.close()


# 10. The event stream ----------------------------------------------------------------------------

def test_events_name_the_renewed_files_of_both_versions(server: Server, site: Site):
    events = Events(server)
    try:
        _, _, hello = events.wait(lambda name, data: name == "hello")
        first = json.loads(hello)
        assert first["base"] == "/" and isinstance(first["generation"], int)
        start = len(events)
        site.write(EN_FILE, en_story("A Renewed Story"))
        _, _, data = events.wait(lambda name, data: name == "renewed"
                                 and EN_OUT in json.loads(data)["paths"], start=start)
        renewed = json.loads(data)
        # The Spanish page shows nothing of the English headline: same bytes, no reload.
        assert ES_OUT not in renewed["paths"], renewed
        assert "en/index.html" in renewed["paths"]  # the front page lists the story
        assert "en/world/other-news/index.html" not in renewed["paths"]
        assert renewed["generation"] > first["generation"]

        start = len(events)
        site.write(ES_FILE, es_story("Un Cambio"))
        _, _, data = events.wait(lambda name, data: name == "renewed"
                                 and ES_OUT in json.loads(data)["paths"], start=start)
        assert json.loads(data)["generation"] > renewed["generation"]
    finally:
        events.close()


# 11. Ctrl-C --------------------------------------------------------------------------------------

def test_ctrl_c_stops_at_once_with_status_0_even_with_an_open_stream(server: Server):
    events = Events(server)
    try:
        events.wait(lambda name, data: name == "hello")
        started = time.monotonic()
        server.proc.send_signal(signal.SIGINT)
        try:
            code = server.proc.wait(5)
        except subprocess.TimeoutExpired:
            pytest.fail("sitegen serve did not stop within 5 s of SIGINT")
        elapsed = time.monotonic() - started
    finally:
        events.close()
    assert code == 0, server.err.text
    assert elapsed < 1.0, f"took {elapsed:.2f}s"
    assert "Traceback" not in server.err.text


# Files created in the site folder itself ---------------------------------------------------------

def test_rebuilds_go_on_after_a_file_is_created_in_the_site_folder(server: Server, site: Site):
    # An editor's swap file beside sitegen.toml, `sitegen build` making public/, a README...
    (site.root / "notes.txt").write_text("not part of the site\n", "utf-8")
    time.sleep(0.3)
    site.write(EN_FILE, en_story("After The Note"))
    server.wait_page(EN_PAGE, lambda p: b"<title>After The Note |" in p)
    assert "Traceback" not in server.err.text, server.err.text


def test_a_configuration_change_is_rebuilt(server: Server, site: Site):
    config = (site.root / "sitegen.toml").read_text("utf-8")
    site.write("sitegen.toml", config.replace('title = "The Island Post"',
                                              'title = "The Mainland Post"'))
    server.wait_page(EN_PAGE, lambda p: title_of(p) == "Hello World | The Mainland Post")


def test_an_editors_atomic_save_is_rebuilt(server: Server, site: Site):
    temporary = site.root / "content" / "news" / ".story.en.md.tmp"
    temporary.write_text(en_story("Saved Atomically"), "utf-8")
    os.replace(temporary, site.root / EN_FILE)
    server.wait_page(EN_PAGE, lambda p: b"<title>Saved Atomically |" in p)


def test_a_deleted_version_leaves_the_preview(server: Server, site: Site, reference):
    events = Events(server)
    try:
        events.wait(lambda name, data: name == "hello")
        (site.root / ES_FILE).unlink()
        _, _, data = events.wait(lambda name, data: name == "renewed"
                                 and ES_OUT in json.loads(data)["paths"])
        assert EN_OUT in json.loads(data)["paths"]  # its language switch is gone
    finally:
        events.close()
    assert server.get(ES_PAGE).status == 404
    assert "es" not in hreflangs(server.page(EN_PAGE).decode())
    assert_serves(server, reference(site))


def test_drafts_and_future_options(site: Site, start: Callable[..., Server]):
    site.write("content/news/draft.en.md", article("Draft Story", draft="true"))
    site.write("content/news/later.en.md", article("Later Story", date="2030-01-01T00:00:00Z"))
    plain = start(site)
    assert plain.get("/en/news/draft-story/").status == 404
    assert plain.get("/en/news/later-story/").status == 404
    plain.stop()
    both = start(site, "--drafts", "--future")
    assert b"<title>Draft Story |" in both.page("/en/news/draft-story/")
    assert b"<title>Later Story |" in both.page("/en/news/later-story/")


def test_a_broken_configuration_stops_serve_before_it_starts(site: Site):
    site.write("sitegen.toml", "[site]\nbase_url = \n")
    done = subprocess.run(sitegen_command("serve", "-s", str(site.root), "--port", "0"),
                          check=False, capture_output=True, text=True, timeout=30,
                          env=dict(os.environ), cwd=site.root)
    assert done.returncode == 1
    assert "serving" not in done.stdout
    assert re.search(r"sitegen\.toml(:\d+)?: error: ", done.stderr), done.stderr


# 12. What the watcher reacts to ------------------------------------------------------------------

def test_is_source(tmp_path: Path):
    site = tmp_path / "site"
    site.mkdir()
    sources = ["content/x.en.md", "content/news/deep/x.es.md", "themes/default/templates/a.html",
               "themes/default/static/css/site.css", "locales/es/LC_MESSAGES/messages.po",
               "static/logo.svg", "sitegen.toml", "pyproject.toml", "content",
               "content/news/photo.JPG", "content/news/chart.svg"]
    others = ["public/en/index.html", ".sitegen-cache/x", ".sitegen-cache/preview/en/index.html",
              "content/.x.en.md.swp", "content/x.en.md~", "content/#x#", "content/news/x.en.md.tmp",
              "content/.git/index", "README.md", "notes.txt", ".sitegen.toml.swp",
              "content/news/4913", "content/notes.txt"]  # 4913: the file vim writes to test
    for rel in sources:
        assert is_source(site, str(site / rel)) is True, rel
    for rel in others:
        assert is_source(site, str(site / rel)) is False, rel
    assert is_source(site, str(site / "content/news"), folder=True) is True
    assert is_source(site, str(site / "content/news.md"), folder=True) is True
    assert is_source(site, str(tmp_path / "elsewhere" / "content" / "x.en.md")) is False
    assert is_source(site, str(tmp_path / "sitegen.toml")) is False
    assert is_source(site, "/etc/passwd") is False


def test_is_source_of_the_site_folder_itself(tmp_path: Path):
    # watchdog reports the folder itself as modified whenever a file is created in it.
    site = tmp_path / "site"
    site.mkdir()
    assert is_source(site, str(site)) is False
