"""The dashboard's CSV download: each row says which article it comes from, and a spreadsheet reads it safely."""

from __future__ import annotations

import csv
import io

from geo.dashboard import explore

ARTICLE = (
    "---\ntitle: =HYPERLINK(\"http://example.invalid\") Strikes on Saraqeb\ndate: 2016-05-11\n"
    "source: SANA\nurl: https://example.org/news/1\n---\n"
    "Air strikes hit Saraqeb, killing 12 people. Talks were held in Homs.\n"
)


def rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_download_names_the_article_and_leaves_unstated_tolls_empty(tmp_path, gaz):
    (tmp_path / "a.md").write_text(ARTICLE, encoding="utf-8")
    corpus = explore.load_corpus(tmp_path, gaz)
    data = explore.to_csv(corpus.mentions, corpus)
    assert data.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the BOM
    by_name = {r["name"]: r for r in rows(data)}
    saraqeb, homs = by_name["Saraqab"], by_name["Homs"]
    assert saraqeb["article_title"] == "'=HYPERLINK(\"http://example.invalid\") Strikes on Saraqeb"  # no formula
    assert (saraqeb["article_date"], saraqeb["article_source"], saraqeb["article_url"]) == (
        "2016-05-11",
        "SANA",
        "https://example.org/news/1",
    )
    assert (saraqeb["killed"], saraqeb["injured"]) == ("12", "")  # injuries are not stated: empty, not 0
    assert (homs["killed"], homs["injured"]) == ("", "")  # a sentence with no toll is no "0 killed"
    assert list(by_name["Homs"])[:5] == ["article", "article_title", "article_date", "article_source", "article_url"]
