"""Importing articles: every format, every encoding, the duplicate rule, URLs, CSV tables, the CLI."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from helpers import closed_port

from geo.corpus import importer
from geo.corpus.importer import ImportError_
from geo.corpus.reader import read_article

ROOT = Path(__file__).resolve().parent.parent
BODY = "Air strikes hit Aleppo’s eastern districts on Tuesday, killing at least 20 people, activists said.\n"
ARABIC = "قصف جوي على حلب وإدلب أدى إلى مقتل عشرين شخصا.\n"


def minimal_pdf(text: str, title: str = "") -> bytes:
    """A one-page PDF with a text layer, written by hand (no PDF writer needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    info = f"<< /Title ({title}) /CreationDate (D:20160511120000) >>" if title else "<< >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        info.encode("latin-1"),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def docx_bytes(paragraphs: list[str], title: str = "", author: str = "") -> bytes:
    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    document.core_properties.title = title
    document.core_properties.author = author
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


HTML = """<html><head><title>Air strikes hit Aleppo | Example News</title>
<meta property="og:title" content="Air strikes hit Aleppo">
<meta name="author" content="Jane Doe"><meta property="article:published_time" content="2016-05-11T10:00:00Z">
<meta property="og:site_name" content="Example News"></head>
<body><nav>Home | World | Sport | Subscribe</nav><article><h1>Air strikes hit Aleppo</h1>
<p>Air strikes hit the eastern districts of Aleppo on Tuesday, killing at least 20 people, activists said.</p>
<p>Shelling also hit Idlib province and the town of Saraqeb, where rescuers searched the rubble for hours.</p>
<p>The Syrian Observatory for Human Rights said the death toll was likely to rise as more bodies were found.</p>
</article><footer>Copyright Example News. Subscribe to our newsletter.</footer></body></html>"""


# --- formats -----------------------------------------------------------------------------------


def test_plain_text_takes_its_title_from_the_first_line():
    a = importer.read_file("strikes.txt", ("Strikes on Aleppo\n\n" + BODY).encode())
    assert a.meta["title"] == "Strikes on Aleppo" and BODY in a.text


def test_markdown_front_matter_is_kept():
    a = importer.read_file("a.md", f"---\ntitle: Strikes\ndate: 2016-05-11\nsource: SANA\n---\n{BODY}".encode())
    assert a.meta == {"title": "Strikes", "date": "2016-05-11", "source": "SANA"}
    assert a.text == BODY


def test_html_is_reduced_to_the_article_and_its_metadata():
    a = importer.read_file("page.html", HTML.encode())
    assert a.meta["title"] == "Air strikes hit Aleppo"
    assert (a.meta["date"], a.meta["author"], a.meta["source"]) == ("2016-05-11", "Jane Doe", "Example News")
    assert "killing at least 20 people" in a.text
    assert "Subscribe" not in a.text and "Home | World" not in a.text


def test_pdf_text_and_metadata():
    a = importer.read_file("report.pdf", minimal_pdf("Air strikes hit Aleppo on Tuesday.", "Aleppo report"))
    assert "Air strikes hit Aleppo on Tuesday." in a.text
    assert a.meta == {
        "title": "Aleppo report",
        "date": "2016-05-11",  # the file's own timestamp, said to be so in the front matter
        "date_from": "the PDF's creation date, not a stated publication date: check it",
    }


def test_docx_text_and_metadata():
    a = importer.read_file("memo.docx", docx_bytes(["Strikes on Aleppo", BODY.strip()], "Memo", "A. Writer"))
    assert a.text.startswith("Strikes on Aleppo\n\n") and "killing at least 20 people" in a.text
    assert (a.meta["title"], a.meta["author"]) == ("Memo", "A. Writer")
    assert a.meta["date_from"].startswith("the document's creation date, not a stated publication date")


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("scan.pdf", b"%PDF-1.4 not really", "not a readable PDF"),
        ("memo.docx", b"PK not a zip", "not a readable .docx"),
        ("photo.jpg", b"\xff\xd8\xff", "cannot import .jpg"),
    ],
)
def test_unreadable_files_say_which_and_why(name, data, message):
    with pytest.raises(ImportError_) as err:
        importer.read_file(name, data)
    assert str(err.value).startswith(name) and message in str(err.value)


# --- encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, encoding",
    [
        (BODY, "utf-8"),
        (BODY, "utf-8-sig"),
        ("Damasco y Alepo: «ataque» en la periferia, según fuentes — 20 muertos.\n", "cp1252"),
        (ARABIC, "cp1256"),
        (ARABIC, "iso-8859-6"),
        (BODY, "utf-16"),
        (BODY + ARABIC, "utf-16-le"),
        (ARABIC, "utf-16-be"),
    ],
)
def test_encodings_are_detected_and_stored_as_utf8(tmp_path, text, encoding):
    article = importer.read_file("a.txt", ("Title line\n" + text).encode(encoding))
    assert article.text == "Title line\n" + text
    saved = importer.save(article, tmp_path)
    assert saved.path.read_bytes().decode("utf-8").endswith(text)  # UTF-8, no BOM
    assert read_article(saved.path).text.endswith(text)


def test_binary_is_refused():
    with pytest.raises(ImportError_, match="not text"):
        importer.decode(bytes(range(256)) * 4, "blob.txt")


# --- saving ------------------------------------------------------------------------------------


def test_saved_as_one_file_with_front_matter_and_a_safe_readable_name(tmp_path):
    a = importer.Imported(BODY, {"title": "../../etc/passwd: Strikes on Aleppo’s east!", "date": "2016-05-11"})
    saved = importer.save(a, tmp_path)
    assert saved.added and saved.path.parent == tmp_path
    assert saved.path.name == "2016-05-11_etc-passwd-strikes-on-aleppos-east.md"
    article = read_article(saved.path)
    assert article.meta["title"] == "../../etc/passwd: Strikes on Aleppo’s east!"
    assert article.text[article.body_start :] == BODY
    assert [p.name for p in tmp_path.iterdir()] == [saved.path.name]  # no temporary file left


def test_a_title_without_latin_letters_gets_a_name_from_the_text(tmp_path):
    saved = importer.save(importer.Imported(ARABIC, {"title": "قصف حلب"}), tmp_path)
    assert saved.path.name.startswith("article-") and saved.path.suffix == ".md"


def test_the_same_text_is_not_added_twice(tmp_path):
    first = importer.save(importer.Imported(BODY, {"title": "One"}), tmp_path)
    again = importer.save(importer.Imported("  " + BODY.replace(" ", "  ").upper(), {"title": "Two"}), tmp_path)
    assert first.added and not again.added and again.path == first.path
    assert len(list(tmp_path.iterdir())) == 1


def test_a_name_taken_by_other_text_gets_a_number_never_overwrites(tmp_path):
    a = importer.save(importer.Imported(BODY, {"title": "Strikes"}), tmp_path)
    b = importer.save(importer.Imported("Other text about Hama.\n", {"title": "Strikes"}), tmp_path)
    assert (a.path.name, b.path.name) == ("strikes.md", "strikes-2.md")
    assert BODY in a.path.read_text(encoding="utf-8")


# --- CSV ---------------------------------------------------------------------------------------

FAKES_LIKE = (
    "unit_id,article_title,article_content,source,date\n"
    '1,Strikes on Aleppo,"Air strikes hit Aleppo, killing 20.",reuters,4/16/2017\n'
    '2,Clashes in Hama,"Rebels and the army clashed in Hama.",sana,12/1/2016\n'
    '3,Copy,"Air strikes hit Aleppo, killing 20.",ahram,4/17/2017\n'
)


def test_csv_with_fakes_columns_and_month_first_dates():
    rows = list(importer.read_csv("fakes.csv", FAKES_LIKE.encode(), importer.FAKES_MAPPING))
    assert [(r.meta["title"], r.meta["date"], r.meta["source"]) for r in rows] == [
        ("Strikes on Aleppo", "2017-04-16", "reuters"),
        ("Clashes in Hama", "2016-12-01", "sana"),
        ("Copy", "2017-04-17", "ahram"),
    ]
    assert rows[0].origin == "fakes.csv:2"


def test_csv_column_mapping_and_its_errors():
    table = "headline,body,published\nStrikes,Air strikes hit Aleppo.,11.05.2016\n"
    (row,) = importer.read_csv("t.csv", table.encode(), {"title": "headline", "text": "body", "date": "published"})
    assert (row.meta["title"], row.meta["date"]) == ("Strikes", "2016-05-11")
    with pytest.raises(ImportError_, match=r"t.csv:1: no column 'content' \(the columns are headline, body"):
        list(importer.read_csv("t.csv", table.encode(), {"text": "content"}))
    bad = table + "Later,Shelling in Hama.,not a date\n"
    with pytest.raises(ImportError_, match=r"t.csv:3: date 'not a date'"):
        list(
            importer.read_csv(
                "t.csv", bad.encode(), {"title": "headline", "text": "body", "date": "published"}, "%d.%m.%Y"
            )
        )


# --- URLs --------------------------------------------------------------------------------------


@pytest.fixture()
def web_server(local_server):
    """A local web server with one article page."""

    def answer(path):
        if path == "/news/aleppo":
            return 200, "text/html; charset=utf-8", HTML.encode("utf-8")
        return 404, "text/plain", b"gone"

    url, _ = local_server(answer)
    return url


def test_a_url_is_fetched_and_reduced_to_its_article(web_server):
    a = importer.fetch_url(f"{web_server}/news/aleppo", allow_private=True)
    assert a.meta["title"] == "Air strikes hit Aleppo" and a.meta["url"] == f"{web_server}/news/aleppo"
    assert "killing at least 20 people" in a.text


def test_url_errors_are_plain(web_server):
    with pytest.raises(ImportError_, match="answered 404"):
        importer.fetch_url(f"{web_server}/missing", allow_private=True)
    with pytest.raises(ImportError_, match="cannot reach it .* if offline"):
        importer.fetch_url(f"http://127.0.0.1:{closed_port()}/news", timeout=3, allow_private=True)
    with pytest.raises(ImportError_, match="only http"):
        importer.fetch_url("file:///etc/passwd")


# --- the CLI -----------------------------------------------------------------------------------


def geo(*args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.run(
        [sys.executable, "-m", "geo", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


def test_cli_imports_files_folders_csv_and_urls(tmp_path, web_server):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_bytes(("Strikes on Aleppo\n" + BODY).encode("cp1252", errors="replace"))
    (inbox / "b.docx").write_bytes(docx_bytes(["Clashes in Hama", "Rebels and the army clashed in Hama."]))
    (tmp_path / "fakes.csv").write_text(FAKES_LIKE, encoding="utf-8")
    run = geo(
        "import",
        inbox,
        tmp_path / "fakes.csv",
        f"{web_server}/news/aleppo",
        "--allow-private",
        "--to",
        tmp_path / "articles",
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    added = [line for line in run.stdout.splitlines() if line.startswith("added")]
    assert len(added) == 5  # two files, two distinct CSV rows (the third repeats the first), one page
    assert "already there" in run.stdout
    again = geo("import", inbox, "--to", tmp_path / "articles", cwd=tmp_path)
    assert again.stdout.count("already there") == 2
    parsed = geo("parse", tmp_path / "articles", cwd=tmp_path)
    places = {json.loads(line)["name"] for line in parsed.stdout.splitlines()}
    assert {"Aleppo", "Hama"} <= places
    missing = geo("import", tmp_path / "nope.txt", "--to", tmp_path / "articles", cwd=tmp_path)
    assert missing.returncode == 1 and "nope.txt: cannot read" in missing.stderr


def test_readme_csv_example_and_the_default_folder(tmp_path):
    (tmp_path / "table.csv").write_text(
        "headline,body,published\nStrikes on Aleppo,Air strikes hit Aleppo.,05.05.2016\n", encoding="utf-8"
    )
    env_articles = tmp_path / "dashboard-articles"
    run = subprocess.run(
        [sys.executable, "-m", "geo", "import", "table.csv", "--column", "text=body", "--column", "title=headline",
         "--column", "date=published", "--column", "source=", "--date-format", "%d.%m.%Y"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env=dict(os.environ, PYTHONPATH=str(ROOT / "src"), GEO_ARTICLES=str(env_articles)),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert f"importing into {env_articles}" in run.stderr
    (saved,) = env_articles.glob("*.md")
    assert saved.name == "2016-05-05_strikes-on-aleppo.md" and not (tmp_path / "articles").exists()
    assert "source:" not in saved.read_text(encoding="utf-8")
    bad = geo("import", "table.csv", "--column", "text=", cwd=tmp_path)
    assert bad.returncode == 2 and "FIELD= for none" in bad.stderr


def test_parse_with_only_missing_files_writes_no_output(tmp_path):
    run = geo("parse", tmp_path / "nope.txt", "-o", tmp_path / "out.jsonl", cwd=tmp_path)
    assert run.returncode == 1 and "nothing to parse" in run.stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_saving_many_articles_reports_each_and_adds_a_text_once(tmp_path):
    """The dashboard's bar for a CSV import counts every row saved, duplicates included."""
    table = "unit_id,article_title,article_content,source,date\n" + "".join(
        f'{i},Report {i},"Shelling hit Deraa, report {i % 20}.",sana,4/16/2017\n' for i in range(25)
    )
    rows = list(importer.read_csv("t.csv", table.encode(), dict(importer.FAKES_MAPPING), "", fallback={}))
    told: list[tuple[int, int]] = []
    saved = importer.save_all(rows, tmp_path, lambda done, total: told.append((done, total)))
    assert told == [(k, 25) for k in range(1, 26)]
    assert sum(s.added for s in saved) == 20 and len(list(tmp_path.iterdir())) == 20
