"""The holes of the security review (issue 10), each with a regression test named after it.

Payloads go through the real paths: article files parsed with the real gazetteer, the map rendered
as Streamlit renders it, URLs fetched from servers on 127.0.0.1, importers in two processes.
"""

from __future__ import annotations

import csv
import html
import io
import json
import multiprocessing
import os
import re
import socket
import threading
import time
from pathlib import Path

import folium
import pytest

from geo import gazetteer, sinks, summary
from geo.cli import main as geo_main
from geo.corpus import fetch, importer, reader
from geo.dashboard import explore, mapview
from geo.errors import ArticleError
from geo.pipeline import parse_paths

ROOT = Path(__file__).resolve().parent.parent


def payloads(sentinel: Path) -> dict[str, str]:
    """Template code of every kind a hostile article can carry, in a title and in sentences."""
    return {
        "mkdir": f"{{{{ cycler.__init__.__globals__.os.mkdir('{sentinel}') }}}}",
        "pid": "{{ 'PID=' ~ cycler.__init__.__globals__.os.getpid() }}",
        "raw": "{% raw %}",
        "comment": "{# unclosed",
        "literal": "`${alert(1)}`",
        "tag": "<img src=x onerror=alert(1)>",
    }


def hostile_folder(tmp_path: Path, sentinel: Path) -> Path:
    """One article per payload, carried in its title too (the map's popups carry titles, no sentences
    since issue 14; one payload a title, as titles are shown up to 200 characters). Half name Aleppo
    and Hama, half Homs and Idlib, so that every popup lists all its articles."""
    folder = tmp_path / "articles"
    folder.mkdir()
    p = payloads(sentinel)
    for i, (key, payload) in enumerate(p.items()):
        places = ("Aleppo", "Hama") if i % 2 == 0 else ("Homs", "Idlib")
        (folder / f"hostile_{key}.txt").write_text(
            f"---\ntitle: Report {payload}\ndate: 2016-05-05\n---\n"
            f"Shelling hit {places[0]} on Monday. {payload} was seen in {places[1]}.\n",
            encoding="utf-8",
        )
    return folder


def rendered_map(folder: Path, gaz) -> str:
    corpus = explore.load_corpus(folder, gaz)
    fmap = mapview.build_map(
        summary.summarise(corpus.mentions), gazetteer.default_root() / "syria_governorates.geojson", corpus.titles()
    )
    return fmap.get_root().render()  # what streamlit-folium sends to the browser


def marker_data(page: str) -> list[dict]:
    literal = re.search(r"(\[\{\"lat\".*?\}\])\.forEach", page, re.S)
    assert literal, "the markers' data is not in the page"
    return json.loads(literal.group(1))


def test_code_execution_from_article_text(tmp_path, gaz):
    sentinel = tmp_path / "sentinel"
    page = rendered_map(hostile_folder(tmp_path, sentinel), gaz)
    assert not sentinel.exists()
    assert f"PID={os.getpid()}" not in page
    assert "TemplateSyntaxError" not in page
    data = marker_data(page)
    assert {"Aleppo", "Hama", "Homs", "Idleb"} <= {html.unescape(d["tooltip"]).split(" · ")[0] for d in data}
    popups = html.unescape(" ".join(d["popup"] for d in data))
    for payload in payloads(sentinel).values():  # shown to the reader as written, run by no one
        assert payload in popups
    assert "<img src=x" not in " ".join(d["popup"] for d in data)


def test_check_map_inert_refuses_unsanitised_text():
    fmap = folium.Map()
    folium.Marker([35, 38], tooltip="{{ 7 * 7 }}").add_to(fmap)
    with pytest.raises(sinks.UnsafeTextError, match="would run as a template"):
        sinks.check_map_inert(fmap)
    clean = folium.Map()
    folium.Marker([35, 38], tooltip=sinks.html("{{ 7 * 7 }}")).add_to(clean)
    sinks.check_map_inert(clean)


def test_sinks_neutralise_each_syntax():
    assert (
        sinks.html("<b>{{x}}</b> `${y}` {%z%}")
        == "&lt;b&gt;&#123;&#123;x&#125;&#125;&lt;/b&gt; &#96;&#36;&#123;y&#125;&#96; &#123;%z%&#125;"
    )
    encoded = sinks.js_data({"a": ["{{ x }}", "</script><script>", "{%", "{#", "ok"], "n": 1.5, "none": None})
    assert not any(d in encoded for d in ("{{", "{%", "{#", "<", ">"))
    assert json.loads(encoded) == {"a": ["{{ x }}", "</script><script>", "{%", "{#", "ok"], "n": 1.5, "none": None}
    assert sinks.markdown("[lnk](javascript:alert(1))") == "\\[lnk\\](javascript:alert(1))"
    assert sinks.markdown("# big\n\n- item <b>x</b> $e=mc^2$") == "\\# big - item \\<b\\>x\\</b\\> \\$e=mc^2\\$"
    assert sinks.markdown("2016-05-05: 3 killed") == "2016-05-05: 3 killed"  # ordinary text reads as before
    assert [sinks.csv_cell(v) for v in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx", "Aleppo", 3, None, "")] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@A1",
        "'\tx",
        "'\rx",
        "Aleppo",
        3,
        None,
        "",
    ]


# --- file disclosure through a symlink ------------------------------------------------------------


def test_file_disclosure_through_a_symlink(tmp_path, gaz):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash — Aleppo\n", encoding="utf-8")
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.txt").write_text("Shelling hit Hama on Monday.\n", encoding="utf-8")
    (folder / "passwd.txt").symlink_to(secret)  # a file outside the folder
    (folder / "up").symlink_to(tmp_path, target_is_directory=True)  # a `..` path: the parent folder
    (folder / "inside.txt").symlink_to(folder / "good.txt")  # a link inside the folder is an article
    os.mkfifo(folder / "pipe.txt")  # would block a reader forever
    results = list(parse_paths([folder], gaz, with_events=False))
    read = {r.article.name for r in results if r.article}
    errors = {Path(r.error.path).name: str(r.error) for r in results if r.error}
    assert read == {"good.txt", "inside.txt"}
    assert "outside the articles folder" in errors["passwd.txt"]
    assert "not a regular file" in errors["pipe.txt"]
    assert not any("up" in Path(r.error.path).parts for r in results if r.error)  # the link to .. is not walked
    corpus = explore.load_corpus(folder, gaz)
    assert all("root:x" not in a.text for a in corpus.articles)
    assert len(corpus.errors) == 2
    assert set(importer.existing_keys(folder).values()) == {folder / "good.txt"}  # the importer reads no secret


@pytest.mark.parametrize("fd_names", ["/proc/self/fd/", "/no/proc/"])  # the kernel's name, or realpath without /proc
def test_a_path_through_a_linked_folder_is_refused(tmp_path, monkeypatch, fd_names):
    """A path named inside the folder that a link inside it leads out of: the opened file is checked, not the name."""
    monkeypatch.setattr(reader, "_FD_NAMES", fd_names)
    (tmp_path / "secret.txt").write_text("root:x:0:0 Aleppo\n", encoding="utf-8")
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "good.txt").write_text("Shelling hit Hama.\n", encoding="utf-8")
    (folder / "up").symlink_to(tmp_path, target_is_directory=True)
    (folder / "same").symlink_to(folder / "sub", target_is_directory=True)
    with pytest.raises(ArticleError, match="outside the articles folder"):
        reader.read_article(folder / "up" / "secret.txt", folder)
    assert reader.read_article(folder / "same" / "good.txt", folder).text == "Shelling hit Hama.\n"
    assert reader.read_bytes_inside(folder / "up" / "secret.txt").startswith(b"root:x")  # no folder: no check


def test_parse_names_a_symlinked_file_and_goes_on(tmp_path, capsys):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.txt").write_text("Shelling hit Hama on Monday.\n", encoding="utf-8")
    (folder / "x.txt").symlink_to("/etc/passwd")
    code = geo_main(["parse", str(folder), "--no-events"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "x.txt: a link to a file outside the articles folder: skipped" in err
    assert "root:" not in out and '"Hama"' in out


# --- server-side request forgery in URL import ---------------------------------------------------


class RawServer:
    """A TCP server on 127.0.0.1 that runs `serve(conn)` per connection and counts connections."""

    def __init__(self, serve):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.serve = serve
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn):
        with conn:
            try:
                conn.recv(65536)
                self.serve(conn)
            except OSError:
                pass

    def close(self):
        self.sock.close()


@pytest.fixture()
def raw_server():
    servers = []

    def start(serve):
        servers.append(RawServer(serve))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


ARTICLE_PAGE = (
    b"<html><head><title>Strikes</title></head><body><article><p>"
    + b"Shelling hit Aleppo. " * 20
    + b"</p></article></body></html>"
)


def http_reply(body: bytes, status: str = "200 OK", headers: str = "") -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n{headers}"
        "Connection: close\r\n\r\n"
    ).encode() + body


def test_url_import_refuses_private_addresses_before_connecting(raw_server):
    server = raw_server(lambda conn: conn.sendall(http_reply(ARTICLE_PAGE)))
    port = server.port
    for url in (
        f"http://127.0.0.1:{port}/",
        f"http://localhost:{port}/",
        f"http://2130706433:{port}/",  # 127.0.0.1 as one number
        f"http://0x7f.1:{port}/",  # 127.0.0.1 in hex, short form
        f"http://[::1]:{port}/",
        f"http://[::ffff:127.0.0.1]:{port}/",
        f"http://0.0.0.0:{port}/",
        "http://169.254.169.254/latest/meta-data/",  # the cloud metadata service
        "http://10.0.0.1/",
        "http://[fd00::1]/",
    ):
        with pytest.raises(importer.ImportError_, match="refused: .* local or private address") as e:
            importer.fetch_url(url, allow_private=False)
        assert "\n" not in str(e.value) and "--allow-private" in str(e.value)
    assert server.connections == 0
    assert "Shelling hit Aleppo" in importer.fetch_url(f"http://127.0.0.1:{port}/", allow_private=True).text


def test_url_import_checks_every_redirect(raw_server, monkeypatch):
    to_ftp = raw_server(lambda c: c.sendall(http_reply(b"", "302 Found", "Location: ftp://127.0.0.1/x\r\n")))
    with pytest.raises(importer.ImportError_, match="redirected to ftp://127.0.0.1/x: only http:// and https://"):
        importer.fetch_url(f"http://127.0.0.1:{to_ftp.port}/", allow_private=True)
    # A "public" server (127.0.0.1 stands in for one) that redirects to the metadata service: refused at the hop.
    to_metadata = raw_server(lambda c: c.sendall(http_reply(b"", "301 Moved", "Location: http://169.254.169.254/\r\n")))
    monkeypatch.setattr(fetch, "is_public", lambda address: address == "127.0.0.1")
    with pytest.raises(importer.ImportError_, match="refused: 169.254.169.254"):
        importer.fetch_url(f"http://127.0.0.1:{to_metadata.port}/", allow_private=False)
    loop = raw_server(lambda c: c.sendall(http_reply(b"", "302 Found", "Location: /again\r\n")))
    with pytest.raises(importer.ImportError_, match="more than 5 redirects"):
        importer.fetch_url(f"http://127.0.0.1:{loop.port}/", allow_private=True)


def test_url_import_gives_up_on_a_trickling_server(raw_server):
    def trickle_body(conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        for _ in range(100):
            conn.sendall(b"x")
            time.sleep(0.25)

    def trickle_headers(conn):
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 200:
            conn.sendall(bytes([byte]))
            time.sleep(0.25)

    for serve in (trickle_body, trickle_headers):
        server = raw_server(serve)
        began = time.monotonic()
        with pytest.raises(importer.ImportError_, match="no complete answer within 1.5 s"):
            importer.fetch_url(f"http://127.0.0.1:{server.port}/", timeout=1.5, allow_private=True)
        assert time.monotonic() - began < 4


def test_url_import_caps_the_size(raw_server):
    fifty_mb = 50 * 1024 * 1024
    declared = raw_server(lambda c: c.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {fifty_mb}\r\n\r\n".encode()))
    with pytest.raises(importer.ImportError_, match="the page is 50.0 MB, over the 20 MB limit"):
        importer.fetch_url(f"http://127.0.0.1:{declared.port}/", allow_private=True)

    def undeclared(conn):  # no Content-Length: the body ends when the server closes
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n")
        chunk = b"<p>Aleppo</p>" * 8000
        for _ in range(fifty_mb // len(chunk)):
            conn.sendall(chunk)

    endless = raw_server(undeclared)
    with pytest.raises(importer.ImportError_, match="over the 20 MB limit"):
        importer.fetch_url(f"http://127.0.0.1:{endless.port}/", allow_private=True)


def test_url_import_of_non_http_replies_is_one_line(raw_server):
    ssh = raw_server(lambda c: c.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian\r\n"))
    with pytest.raises(importer.ImportError_, match="did not answer in HTTP"):
        importer.fetch_url(f"http://127.0.0.1:{ssh.port}/", allow_private=True)
    hang_up = raw_server(lambda c: None)
    with pytest.raises(importer.ImportError_, match="closed the connection without answering") as e:
        importer.fetch_url(f"http://127.0.0.1:{hang_up.port}/", allow_private=True)
    assert "\n" not in str(e.value)
    with pytest.raises(importer.ImportError_, match="cannot reach it"):
        importer.fetch_url(f"https://127.0.0.1:{ssh.port}/", allow_private=True)  # TLS to a non-TLS server
    with pytest.raises(importer.ImportError_, match="only http:// and https://"):
        importer.fetch_url("gopher://127.0.0.1/")


def test_cli_import_refuses_a_private_url_unless_allowed(raw_server, tmp_path, capsys):
    server = raw_server(lambda conn: conn.sendall(http_reply(ARTICLE_PAGE)))
    url = f"http://127.0.0.1:{server.port}/news"
    assert geo_main(["import", url, "--to", str(tmp_path / "a")]) == 1
    assert "refused" in capsys.readouterr().err and server.connections == 0
    assert geo_main(["import", url, "--to", str(tmp_path / "a"), "--allow-private"]) == 0
    assert len(list((tmp_path / "a").glob("*.md"))) == 1


# --- article saves overwrite each other -----------------------------------------------------------


def _import_many(folder: str, who: str, n: int, out) -> None:
    articles = [
        importer.Imported(f"Report {who}-{i}: shelling hit Aleppo.\n", {"title": "Same title"}) for i in range(n)
    ]
    out.put(sum(s.added for s in importer.save_all(articles, Path(folder))))


def test_article_saves_overwrite_each_other(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=_import_many, args=(str(folder), who, 150, results)) for who in "ab"]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert [results.get(timeout=5) for _ in workers] == [150, 150]
    files = sorted(folder.iterdir())
    assert len(files) == 300 and all(f.suffix == ".md" for f in files)  # all kept, no temporary file left
    texts = {f.read_text(encoding="utf-8").split("---\n", 2)[2] for f in files}
    assert len(texts) == 300


def test_the_same_text_from_two_importers_is_kept_once(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=_import_many, args=(str(folder), "same", 40, results)) for _ in "ab"]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert sum(results.get(timeout=5) for _ in workers) == 40  # each text added by one of them, once
    assert len(list(folder.iterdir())) == 40


# --- formula injection in CSV exports --------------------------------------------------------------

FORMULAS = (
    '=HYPERLINK("http://example.invalid","Aleppo") Shelling hit Aleppo on Monday.\n\n'
    "=cmd|' /C calc'!A0 Clashes in Hama.\n\n"
    "+SUM(1,1) Homs was quiet.\n\n"
    "-2+3 Idlib was shelled.\n\n"
    "@SUM(1) Daraa was shelled.\n"
)


def test_formula_injection_in_csv_exports(tmp_path, gaz, capsys):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "formulas.txt").write_text(FORMULAS, encoding="utf-8")
    assert geo_main(["parse", str(folder), "--format", "csv"]) == 0
    from_cli = capsys.readouterr().out
    corpus = explore.load_corpus(folder, gaz)
    from_dashboard = explore.to_csv(corpus.mentions, corpus).decode("utf-8-sig")
    for text in (from_cli, from_dashboard):
        rows = list(csv.DictReader(io.StringIO(text)))
        assert {r["name"] for r in rows} >= {"Aleppo", "Hama", "Homs", "Idleb", "Dar'a"}
        for row in rows:
            for column, value in row.items():
                assert not value.startswith(sinks.FORMULA_STARTS), (column, value)
        excerpts = {r["excerpt"] for r in rows}
        assert "'=cmd|' /C calc'!A0 Clashes in Hama." in excerpts
        assert all(float(r["lat"]) > 30 for r in rows)  # numbers are not touched


# --- the first of the reliability battery (issue 17) -------------------------------------------------


def test_empty_articles_are_named_not_passed(tmp_path, capsys):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "blank.txt").write_text("  \n\n", encoding="utf-8")
    (folder / "meta.md").write_text("---\ntitle: Only a title\n---\n", encoding="utf-8")
    (folder / "good.txt").write_text("Shelling hit Hama.\n", encoding="utf-8")
    assert geo_main(["parse", str(folder), "--no-events"]) == 1
    err = capsys.readouterr().err
    assert "empty.txt: empty: no text to parse" in err and "blank.txt: empty" in err
    assert "meta.md: front matter only: no text to parse" in err


def test_dashboard_warnings_name_files_without_server_paths(tmp_path, gaz):
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "empty.txt").write_text("", encoding="utf-8")
    (errors,) = [explore.load_corpus(folder, gaz).errors]
    assert errors == ["sub/empty.txt: empty: no text to parse"] and str(tmp_path) not in errors[0]


def test_a_killed_writer_s_temporary_files_are_cleaned_up(tmp_path):
    from geo.store import write_text_atomic

    target = tmp_path / "aliases.csv"
    stale = tmp_path / ".aliases.csv.abc123.tmp"
    fresh = tmp_path / ".aliases.csv.def456.tmp"  # perhaps another writer's, still at work
    stale.write_text("half", encoding="utf-8")
    fresh.write_text("half", encoding="utf-8")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    write_text_atomic(target, "place_id,alias,note\n")
    assert target.read_text(encoding="utf-8") == "place_id,alias,note\n"
    assert not stale.exists() and fresh.exists()
