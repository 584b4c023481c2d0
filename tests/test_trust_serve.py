"""`sitegen serve` can be trusted: it answers only for its own address, streams large files,
drops idle connections, refuses bad ports and folders that are not sites, says what it does,
and outlives anything a rebuild throws. The real server in a subprocess, over real sockets."""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import test_serve
from conftest import Site, article
from test_serve import (
    DEADLINE,
    EN_FILE,
    EN_OUT,
    EN_PAGE,
    SERVING,
    STARTUP,
    Events,
    Server,
    en_story,
    sitegen_command,
)

from sitegen.commands.serve import CHECK_AFTER

site, start = test_serve.site, test_serve.start  # the fixtures: a site, and start(site, *options)

IDLE = 10.0  # seconds the preview waits for a request on an open connection
EDGE_DATE = "0001-01-01T00:00+05:00"  # moved across the calendar's edge by its time zone


# Speaking HTTP by hand -----------------------------------------------------------------------

def exchange(port: int, request: bytes, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """Send `request` as given on a new connection; (status, headers, body) once it closes."""
    deadline = time.monotonic() + timeout
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
            assert time.monotonic() < deadline, f"still answering after {timeout}s: {data[:300]!r}"
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    match = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
    assert match, data[:200]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(match[1]), headers, body


def ask(port: int, host: str | None, path: str = "/", method: str = "GET",
        version: str = "HTTP/1.1", extra: str = "") -> tuple[int, dict[str, str], bytes]:
    """One request with exactly this Host header (none if None)."""
    header = "" if host is None else f"Host: {host}\r\n"
    request = f"{method} {path} {version}\r\n{header}{extra}Connection: close\r\n\r\n"
    return exchange(port, request.encode("latin-1"))


def peak_memory(pid: int) -> int:
    """The most memory the process has held at once, in bytes (Linux)."""
    if not Path(f"/proc/{pid}/status").is_file():
        pytest.skip("no /proc to read a process's peak memory from")
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    assert match, status
    return int(match[1]) * 1024


def run_serve(*args: str, cwd: Path, timeout: float = STARTUP) -> subprocess.CompletedProcess[str]:
    """`sitegen serve ARGS` that must end by itself: a server that listens fails the test."""
    try:
        return subprocess.run(sitegen_command("serve", *args), check=False, capture_output=True,
                              text=True, timeout=timeout, env=dict(os.environ), cwd=cwd)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"sitegen serve {' '.join(args)} kept running:\n{exc.stdout!r}\n"
                             f"{exc.stderr!r}") from None


def wait_until(condition: Callable[[], bool], timeout: float = DEADLINE) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


# Only its own address (DNS rebinding) --------------------------------------------------------

SECRETS = (b"Hello World", b"Draft Story", b"<html", b"news/story", b"event:")


def assert_refused(port: int, host: str | None, path: str = "/") -> None:
    for method in ("GET", "HEAD"):
        status, headers, body = ask(port, host, path, method)
        assert status in (403, 421), (host, path, method, status)
        assert headers.get("content-type", "").startswith("text/plain"), (host, path, headers)
        if method == "GET":
            assert 0 < len(body) < 300 and str(port) in body.decode(), (host, body)
            assert not any(secret in body for secret in SECRETS), (host, path, body)
        else:
            assert body == b"", (host, path, body)


def test_answers_only_requests_for_its_own_address(site: Site, start: Callable[..., Server]):
    site.write("content/news/draft.en.md", article("Draft Story", draft="true"))
    server = start(site, "--drafts")
    port = server.port
    paths = ("/", EN_PAGE, "/en/news/draft-story/", "/_status/", "/_sitegen/live.js",
             "/_sitegen/events", "/en/feed.xml", "/nope/", "/en")
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}", f"[::1]:{port}"):
        for path in ("/", EN_PAGE, "/en/news/draft-story/", "/_status/", "/_sitegen/live.js"):
            status = ask(port, host, path)[0]
            assert status == 200, (host, path, status)
    assert b"Draft Story" in ask(port, f"localhost:{port}", "/en/news/draft-story/")[2]

    other = port + 1 if port < 65535 else port - 1
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1:{other}", "127.0.0.1",
                 "localhost", f"127.0.0.1.evil.example:{port}", f"localhost.evil.example:{port}",
                 f"evil.example:{port}@127.0.0.1", f"user@localhost:{port}",
                 f"localhost:{port}:{port}", f"localhost:{port}x", f"localhost: {port}", "",
                 "[::1]", f"[::1]x:{port}", f"0.0.0.0:{port}", f"127.0.0.2:{port}",
                 f"10.1.2.3:{port}", f"localhost:0{port}0", f"localhost:{port}/"):
        for path in paths:
            assert_refused(port, host, path)
    assert server.proc.poll() is None
    assert "Traceback" not in server.err.text, server.err.text


def test_a_page_elsewhere_cannot_listen_to_the_event_stream(site: Site,
                                                            start: Callable[..., Server]):
    server = start(site)
    status, headers, body = ask(server.port, f"rebound.example:{server.port}",
                                "/_sitegen/events", extra="Accept: text/event-stream\r\n")
    assert status in (403, 421)
    assert not headers.get("content-type", "").startswith("text/event-stream")
    assert b"event:" not in body and b"retry:" not in body
    events = Events(server)  # sent with Host: 127.0.0.1:PORT
    try:
        events.wait(lambda name, data: name == "hello")
    finally:
        events.close()


def test_requests_without_a_host(site: Site, start: Callable[..., Server]):
    server = start(site)
    # HTTP/1.0 needs none, and a browser always sends one: such a request is no page's doing.
    status, _, body = ask(server.port, None, EN_PAGE, version="HTTP/1.0")
    assert status == 200 and b"Hello World" in body
    # HTTP/1.1 requires one.
    status, _, body = ask(server.port, None, EN_PAGE)
    assert status == 400 and b"Hello World" not in body
    # Two are one too many, whatever they say.
    for first, second in (("evil.example", f"127.0.0.1:{server.port}"),
                          (f"127.0.0.1:{server.port}", "evil.example"),
                          (f"127.0.0.1:{server.port}", f"127.0.0.1:{server.port}")):
        status, _, body = ask(server.port, first, EN_PAGE, extra=f"Host: {second}\r\n")
        assert status == 400, (first, second, status)
        assert b"Hello World" not in body
    assert server.proc.poll() is None
    assert "Traceback" not in server.err.text, server.err.text


def test_named_host_answers_to_its_name(site: Site, start: Callable[..., Server]):
    server = start(site, "--host", "localhost")
    for host in (f"localhost:{server.port}", f"127.0.0.1:{server.port}"):
        assert ask(server.port, host, EN_PAGE)[0] == 200, host
    assert_refused(server.port, f"evil.example:{server.port}", EN_PAGE)


def test_on_every_interface_any_address_of_this_computer_but_no_other_name(
        site: Site, start: Callable[..., Server]):
    server = start(site, "--host", "0.0.0.0")
    port = server.port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"10.1.2.3:{port}",
                 f"192.168.0.20:{port}", f"[fe80::1]:{port}", f"{socket.gethostname()}:{port}"):
        assert ask(port, host, EN_PAGE)[0] == 200, host
    for host in (f"evil.example:{port}", f"10.1.2.3.nip.io:{port}", f"10.1.2.3:{port + 1}",
                 "10.1.2.3"):
        assert_refused(port, host, EN_PAGE)
        assert_refused(port, host, "/_status/")


def test_ipv6_loopback(site: Site, start: Callable[..., Server]):
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback")
    server = start(site, "--host", "::1")
    assert server.host == "[::1]"
    with socket.create_connection(("::1", server.port), timeout=10) as sock:
        sock.sendall(f"GET {EN_PAGE} HTTP/1.1\r\nHost: [::1]:{server.port}\r\n"
                     "Connection: close\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200") and b"Hello World" in answer
    with socket.create_connection(("::1", server.port), timeout=10) as sock:
        sock.sendall(f"GET {EN_PAGE} HTTP/1.1\r\nHost: evil.example:{server.port}\r\n"
                     "Connection: close\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 403") and b"Hello World" not in answer


# Large files, idle and vanishing clients ------------------------------------------------------

BIG = 128 * 1024 * 1024


@pytest.fixture
def big_site(site: Site) -> tuple[Site, str]:
    """The site with a 128 MiB file in static/; returns (site, its SHA-256)."""
    block = hashlib.sha256(b"block").digest() * (1024 * 1024 // 32)
    digest = hashlib.sha256()
    with open(site.root / "static" / "big.bin", "wb") as file:
        for n in range(BIG // len(block)):
            chunk = n.to_bytes(4, "big") + block[4:]
            file.write(chunk)
            digest.update(chunk)
    return site, digest.hexdigest()


def test_a_large_file_is_streamed_not_read_whole(big_site: tuple[Site, str],
                                                 start: Callable[..., Server]):
    site, digest = big_site
    server = start(site)
    before = peak_memory(server.proc.pid)
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        sock.sendall(f"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                     "Connection: close\r\n\r\n".encode())
        file = sock.makefile("rb")
        assert file.readline().startswith(b"HTTP/1.1 200")
        headers = {}
        while (line := file.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        assert headers["content-length"] == str(BIG)
        got, received = hashlib.sha256(), 0
        while chunk := file.read(1024 * 1024):
            got.update(chunk)
            received += len(chunk)
    assert received == BIG and got.hexdigest() == digest
    grown = peak_memory(server.proc.pid) - before
    assert grown < BIG // 4, f"the server's peak memory grew by {grown // 2**20} MiB"

    status, headers, body = ask(server.port, f"127.0.0.1:{server.port}", "/big.bin", "HEAD")
    assert status == 200 and headers["content-length"] == str(BIG) and body == b""
    assert "Traceback" not in server.err.text, server.err.text


def test_a_client_that_leaves_early_leaves_no_traceback(big_site: tuple[Site, str],
                                                        start: Callable[..., Server]):
    site, _ = big_site
    server = start(site)
    for abrupt in (False, True, False, True):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(f"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        if abrupt:  # a reset rather than an orderly close
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
    time.sleep(1.0)  # the server's writes fail meanwhile
    status, _, body = ask(server.port, f"127.0.0.1:{server.port}", EN_PAGE)
    assert status == 200 and b"Hello World" in body
    assert server.proc.poll() is None
    assert "Traceback" not in server.err.text, server.err.text
    assert "Exception" not in server.err.text, server.err.text


def test_idle_connections_are_dropped_and_the_event_stream_is_not(site: Site,
                                                                  start: Callable[..., Server]):
    server = start(site)
    events = Events(server)
    silent = socket.create_connection(("127.0.0.1", server.port), timeout=IDLE + 10)
    halfway = socket.create_connection(("127.0.0.1", server.port), timeout=IDLE + 10)
    halfway.sendall(f"GET {EN_PAGE} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n".encode())
    kept = socket.create_connection(("127.0.0.1", server.port), timeout=IDLE + 10)
    kept.sendall(f"GET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
    try:
        started = time.monotonic()
        for sock in (silent, halfway):
            assert sock.recv(1) == b""  # closed by the server rather than timed out here
        elapsed = time.monotonic() - started
        assert elapsed < IDLE + 5, f"dropped after {elapsed:.1f}s"
        kept_answer = b""
        while chunk := kept.recv(65536):  # after its answer, kept alive until idle too long
            kept_answer += chunk
        assert kept_answer.startswith(b"HTTP/1.1 200")

        assert not events.closed
        start_at = len(events)
        site.write(EN_FILE, en_story("After A Quiet While"))
        events.wait(lambda name, data: name == "renewed" and EN_OUT in json.loads(data)["paths"],
                    start=start_at)
    finally:
        for sock in (silent, halfway, kept):
            sock.close()
        events.close()
    assert "Traceback" not in server.err.text, server.err.text


# Ports ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("port", ["99999", "65536", "-1", "eighty", "8.5", ""])
def test_a_port_out_of_range_is_a_usage_error(site: Site, port: str):
    done = run_serve("-s", str(site.root), "--port", port, cwd=site.root)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert re.search(r"argument --port: .*0.*65535", done.stderr), done.stderr
    assert not (site.root / ".sitegen-cache").exists()


def test_a_port_in_use_is_one_clear_line(site: Site):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_serve("-s", str(site.root), "--port", str(port), cwd=site.root)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("sitegen: error: ") and "in use" in lines[0]
    assert f"127.0.0.1:{port}" in lines[0]
    assert "serving" not in done.stdout


def test_a_host_it_cannot_listen_on_is_one_clear_line(site: Site):
    done = run_serve("-s", str(site.root), "--port", "0", "--host", "no-such-host.invalid",
                     cwd=site.root)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sitegen: error: "), done.stderr
    assert "no-such-host.invalid" in lines[0]


# Only a site is served -----------------------------------------------------------------------

def test_a_folder_that_is_not_a_site_is_refused(tmp_path: Path):
    empty = tmp_path / "empty"
    empty.mkdir()
    other = tmp_path / "python-project"
    other.mkdir()
    (other / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.other]\na = 1\n')
    (other / "content").mkdir()
    folder_named = tmp_path / "config-is-a-folder"
    (folder_named / "sitegen.toml").mkdir(parents=True)
    for folder, args in ((empty, ()), (empty, ("-s", ".")), (other, ("-s", str(other))),
                         (folder_named, ())):
        done = run_serve(*args, "--port", "0", cwd=folder)
        assert done.returncode == 1, (folder, done.stdout, done.stderr)
        assert "serving" not in done.stdout
        assert "Traceback" not in done.stderr
        assert re.search(r"^sitegen\.toml: error: .*sitegen\.toml", done.stderr, re.MULTILINE), \
            done.stderr
        assert not (folder / ".sitegen-cache").exists()


def test_an_unreadable_configuration_is_refused(site: Site):
    (site.root / "sitegen.toml").write_bytes(b"\xff\xfe[site]\n")
    done = run_serve("-s", str(site.root), "--port", "0", cwd=site.root)
    assert done.returncode == 1
    assert "serving" not in done.stdout
    assert "Traceback" not in done.stderr
    assert re.search(r"sitegen\.toml(:\d+)?: error: ", done.stderr), done.stderr


def test_a_site_with_errors_in_its_content_is_served_with_its_problems(
        site: Site, start: Callable[..., Server]):
    site.write(EN_FILE, "---\ntitle: [Broken\ndate: 2015-01-12\n---\nBody.\n")
    server = start(site)
    assert re.search(rf"^{re.escape(EN_FILE)}:\d+: error: ", server.err.text, re.MULTILINE)
    events = Events(server)
    try:
        events.wait(lambda name, data: name == "problems" and EN_FILE in data)
    finally:
        events.close()


# What it says --------------------------------------------------------------------------------

def test_says_it_is_building_then_built_then_serving_then_rebuilt(site: Site,
                                                                   start: Callable[..., Server]):
    server = start(site)
    lines = server.out.lines
    assert lines[0] == "sitegen: building the site..."
    assert re.fullmatch(r"sitegen: built 3 articles, \d+ files in \d+\.\d\ds", lines[1]), lines
    assert SERVING.match(lines[2]), lines
    assert not any("rebuilt" in line for line in lines), lines
    site.write(EN_FILE, en_story("Saved Once More"))
    line = server.out.wait(lambda l: re.match(r"sitegen: (re)?built", l), DEADLINE, start=2)
    assert line.startswith("sitegen: rebuilt in "), line


def test_one_article_is_one_article(make_site: Callable[..., Site], start: Callable[..., Server]):
    site = make_site({"content/one.en.md": article("Only One")})
    result = site.build()
    assert result.code == 0, result.err
    assert re.match(r"sitegen: built 1 article, \d+ files into ", result.out), result.out
    server = start(site)
    assert re.fullmatch(r"sitegen: built 1 article, \d+ files in \d+\.\d\ds", server.out.lines[1])
    site.write("content/two.en.md", article("Another One"))
    result = site.build()
    assert re.match(r"sitegen: built 2 articles, ", result.out), result.out


def test_a_build_that_renews_nothing_does_not_reload_open_pages(site: Site,
                                                                start: Callable[..., Server]):
    server = start(site)
    page = server.page(EN_PAGE)
    match = re.search(rb'data-generation="(\d+)"', page)
    assert match, page[-300:]
    time.sleep(CHECK_AFTER + 1.5)  # the quiet-time look at every source, which finds no change
    events = Events(server)  # as the page's script connects, late
    try:
        _, _, data = events.wait(lambda name, data: name == "hello")
    finally:
        events.close()
    assert json.loads(data)["generation"] == int(match[1])  # else the page reloads for nothing


# Whatever a rebuild throws -------------------------------------------------------------------

def internal_error(line: str) -> bool:
    return line.startswith("sitegen: internal error")


def test_an_unexpected_error_in_a_rebuild_is_shown_and_the_preview_recovers(
        site: Site, start: Callable[..., Server]):
    server = start(site)
    good = server.page(EN_PAGE)
    events = Events(server)
    try:
        events.wait(lambda name, data: name == "hello")
        seen = len(server.err)
        site.write(EN_FILE, en_story("On The Edge", date=EDGE_DATE))
        _, _, data = events.wait(lambda name, data: name == "problems")
        problems = json.loads(data)
        assert problems and all(p.strip() for p in problems), problems
        # Said in the terminal as in the page.
        for problem in problems:
            server.err.wait(lambda l, p=problem: l == p, DEADLINE, start=seen)
        if any(map(internal_error, problems)):  # not (yet) a diagnostic of the article
            assert "Traceback" in server.err.text, server.err.text
            assert any(re.search(r"OverflowError|out of range", p) for p in problems), problems
        else:
            assert any(p.startswith(f"{EN_FILE}") for p in problems), problems
        assert server.page(EN_PAGE) == good  # the last good build stays
        assert server.proc.poll() is None

        site.write(EN_FILE, en_story("Back From The Edge"))
        server.wait_page(EN_PAGE, lambda p: b"<title>Back From The Edge |" in p)
        events.wait(lambda name, data: name == "renewed" and EN_OUT in json.loads(data)["paths"])
        # And it keeps rebuilding: the builder lived on.
        site.write(EN_FILE, en_story("Still Building"))
        server.wait_page(EN_PAGE, lambda p: b"<title>Still Building |" in p)
    finally:
        events.close()


def test_an_unexpected_error_in_the_first_build_is_shown_and_the_preview_recovers(
        site: Site, start: Callable[..., Server]):
    site.write(EN_FILE, en_story("On The Edge", date=EDGE_DATE))
    server = start(site)
    assert server.proc.poll() is None
    events = Events(server)
    try:
        _, _, data = events.wait(lambda name, data: name == "problems")
        problems = json.loads(data)
        assert problems and all(p in server.err.lines for p in problems), (problems,
                                                                           server.err.text)
        if any(map(internal_error, problems)):
            assert "Traceback" in server.err.text
        # A page that is not there yet still carries the problems to the browser.
        missing = server.get(EN_PAGE)
        assert missing.status == 404 and b"/_sitegen/live.js" in missing.body
        site.write(EN_FILE, en_story("Back From The Edge"))
        server.wait_page(EN_PAGE, lambda p: b"<title>Back From The Edge |" in p)
    finally:
        events.close()


# In a real browser ---------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run"]
WAIT = 10_000  # ms
HEARD = """(() => {  // window.__heard: the live script's event stream has said hello
  const Original = window.EventSource;
  window.EventSource = class extends Original {
    constructor(...args) {
      super(...args);
      this.addEventListener("hello", () => { window.__heard = true; });
    }
  };
})();"""


def listening_page(browser: Any) -> Any:
    page = browser.new_page()
    page.add_init_script(HEARD)
    page.set_default_timeout(WAIT)
    return page


@pytest.fixture
def chromium() -> Any:
    """launch(*extra_args) -> a Chromium browser, closed at teardown; skips where there is none."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browsers: list[Any] = []

        def launch(*args: str) -> Any:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                 args=[*BROWSER_ARGS, *args])
            browsers.append(browser)
            return browser

        try:
            yield launch
        finally:
            for browser in browsers:
                browser.close()


def test_in_a_browser_a_site_whose_name_leads_here_reads_nothing(
        site: Site, start: Callable[..., Server], chromium: Any):
    site.write("content/news/draft.en.md", article("Draft Story", draft="true"))
    server = start(site, "--drafts")
    # What DNS rebinding does: a name of the attacker's that now resolves to this computer.
    browser = chromium("--host-resolver-rules=MAP rebound.example 127.0.0.1")
    page = browser.new_page()
    response = page.goto(f"http://rebound.example:{server.port}/_status/")
    assert response is not None and response.status == 403
    assert "news/story" not in page.content()
    for path in ("/_status/", "/en/news/draft-story/", EN_PAGE, "/_sitegen/events"):
        status, text = page.evaluate(
            "async (path) => { const r = await fetch(path); return [r.status, await r.text()]; }",
            path)
        assert status == 403, (path, status)
        assert "Draft Story" not in text and "news/story" not in text and "event:" not in text
    # The preview itself, by its own names, works as ever.
    for host in ("127.0.0.1", "localhost"):
        response = page.goto(f"http://{host}:{server.port}/en/news/draft-story/")
        assert response is not None and response.status == 200
        assert "<title>Draft Story |" in response.text()


def test_in_a_browser_an_unexpected_error_shows_over_the_page(
        site: Site, start: Callable[..., Server], chromium: Any):
    server = start(site)
    page = listening_page(chromium())
    page.goto(f"http://127.0.0.1:{server.port}{EN_PAGE}")
    page.wait_for_function("() => window.__heard === true")
    site.write(EN_FILE, en_story("On The Edge", date=EDGE_DATE))
    overlay = page.locator("#sitegen-problems")
    overlay.wait_for(state="visible")
    text = overlay.inner_text()
    assert "OverflowError" in text or EN_FILE in text, text
    assert page.locator("h1.story__headline").inner_text() == "Hello World"
    site.write(EN_FILE, en_story("Back From The Edge"))
    page.wait_for_function("() => document.title.startsWith('Back From The Edge')")
    assert page.locator("#sitegen-problems").count() == 0


def test_in_a_browser_a_site_that_never_built_shows_why(site: Site, start: Callable[..., Server],
                                                        chromium: Any):
    site.write(EN_FILE, en_story("On The Edge", date=EDGE_DATE))
    server = start(site)
    page = listening_page(chromium())
    response = page.goto(f"http://127.0.0.1:{server.port}{EN_PAGE}")
    assert response is not None and response.status == 404
    overlay = page.locator("#sitegen-problems")
    overlay.wait_for(state="visible")
    assert "OverflowError" in overlay.inner_text() or EN_FILE in overlay.inner_text()
    site.write(EN_FILE, en_story("Back From The Edge"))
    page.wait_for_function("() => document.title.startsWith('Back From The Edge')")
