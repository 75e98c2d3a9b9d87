"""`python -m geo`: parse articles into mention records, and check the gazetteer."""

from __future__ import annotations

import argparse
import functools
import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from geo import gazetteer, progress, settings, store
from geo.corpus.reader import article_paths
from geo.errors import GeoError
from geo.events import coder, lexicon
from geo.output import EventWriter, Writer, render_events, render_mentions
from geo.pipeline import default_jobs, parse_paths

if TYPE_CHECKING:
    from geo.corpus import importer

EXIT_OK, EXIT_SKIPPED, EXIT_ERROR = 0, 1, 2
QUIET_HELP = "no progress bar (it shows only when stderr is a terminal)"


def _parse(args: argparse.Namespace) -> int:
    lex = None if args.no_events else lexicon.load()  # a broken lexicon stops here, with its file:line
    return _write_records(args, Writer, functools.partial(render_mentions, args.format), lex)


def _write_records(args: argparse.Namespace, writer_class, render, lex) -> int:
    """Parse `args.paths` and write each article's records (`render` makes them, where it was parsed):
    missing paths, unreadable files and articles read with a warning are named and make exit code 1."""
    missing = [p for p in args.paths if not p.exists()]
    for p in missing:
        print(f"geo: {p}: no such file or folder, skipped", file=sys.stderr)
    paths = [p for p in args.paths if p.exists()]
    if not paths:
        print("geo: nothing to parse: no output written", file=sys.stderr)
        return EXIT_SKIPPED
    gaz = _load_frozen(args.gazetteer, lex)
    try:
        flagged = _write_parsed(args, paths, gaz, writer_class, render, lex)
    finally:
        gc.unfreeze()  # a caller in this process (a test) has its collector back as it was
    return EXIT_SKIPPED if flagged or missing else EXIT_OK


def _load_frozen(root: Path | None, lex: lexicon.Lexicon | None) -> gazetteer.Gazetteer:
    """The gazetteer, and the event model (the parse would load it at its first place), loaded with the
    cycle collector paused and then put out of its sight for the parse, as the dashboard's server does:
    they outlive the parse, and the collections during and after their loads walked their objects
    again and again (a tenth of the start-up). Forked workers inherit them frozen too."""
    with store.collector_paused():
        gaz = gazetteer.load(root)
        if lex is not None:
            coder.load(lex.root)
        gc.freeze()
    return gaz


def _write_parsed(args: argparse.Namespace, paths: list[Path], gaz, writer_class, render, lex) -> int:
    """Parse `paths` and write their records; the number of files skipped or read with a warning."""
    out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
    writer = writer_class(out, args.format)
    flagged = 0
    shown = _file_bar(paths, args)
    try:
        for result in parse_paths(paths, gaz, args.jobs, lex, lex is not None, render):
            shown.update()
            if result.error:
                flagged += 1
                progress.say(f"geo: {result.error}, skipped")
            else:
                assert result.article is not None  # no error: the article was read
                for warning in result.article.warnings:
                    flagged += 1
                    progress.say(f"geo: {result.article.path}: {warning}")
                writer.write_rendered(result.rendered)
    finally:
        shown.close()
        writer.close()
        if args.output:
            out.close()
    return flagged


def _train(args: argparse.Namespace) -> int:
    """`geo events train`: rebuild the event model from the labelled sentences and corrections."""
    from geo.events import training

    lex = lexicon.load()
    try:
        with progress.bar(training.FOLDS + 1, "model", progress.wanted(args.quiet)) as shown:

            def advanced(done: int, total: int) -> None:
                shown.update(done - shown.n)

            model, scores, count = training.train_model(settings.PROJECT_ROOT / "tests" / "eval", lex, advanced)
    except ModuleNotFoundError:
        print("geo: training needs scikit-learn: .venv/bin/pip install -r requirements.txt", file=sys.stderr)
        return EXIT_ERROR
    path = training.save(model, lex.root)
    shown = ", ".join(f"{scope} {t:g}: {v:.3f}" for (scope, t), v in scores.items())
    print(f"geo: {path}: {len(model.classes)} labels, {len(model.weights)} features from {count} labelled places")
    where = "any place" if model.scope == "all" else "a place the rules see an event at"
    print(f"geo: it overrules the rules at {where} when at least {model.threshold:g} sure (cross-validated: {shown})")
    return EXIT_OK


def _events(args: argparse.Namespace) -> int:
    """One record per event (events/records.py), in ACLED's columns; `geo events train` retrains the coder."""
    if [str(p) for p in args.paths] == ["train"] and not Path("train").exists():
        return _train(args)
    return _write_records(args, EventWriter, functools.partial(render_events, args.format), lexicon.load())


def _file_bar(paths: list[Path], args: argparse.Namespace) -> progress.tqdm:
    """The bar of a parse: one step per article file (listing a folder twice costs milliseconds)."""
    enabled = progress.wanted(args.quiet, records_to_terminal=not args.output)
    return progress.bar(sum(1 for _ in article_paths(paths)) if enabled else None, "article", enabled)


def _batch(args: argparse.Namespace) -> int:
    """`geo batch`: the parse of `geo parse` on a Dask cluster, into Parquet (batch.py)."""
    try:
        from geo import batch
    except ModuleNotFoundError as e:
        print(f"geo: batch needs {e.name}: .venv/bin/pip install -r requirements.txt", file=sys.stderr)
        return EXIT_ERROR
    paths = [p for p in args.paths if p.exists()]
    for p in args.paths:
        if not p.exists():
            print(f"geo: {p}: no such file or folder, skipped", file=sys.stderr)
    if not paths:
        print("geo: nothing to parse: no output written", file=sys.stderr)
        return EXIT_SKIPPED
    with (
        batch.cluster_client(args.scheduler, args.workers) as client,
        progress.bar(None, "partition", progress.wanted(args.quiet)) as shown,
    ):

        def finished(summary: dict, partitions: int) -> None:
            shown.total = partitions
            shown.update()

        summaries = batch.run(paths, args.out, client, args.partitions, args.gazetteer, finished)
    problems = [problem for s in summaries for problem in s["problems"]]
    for problem in problems:
        print(f"geo: {problem}", file=sys.stderr)
    count = {key: sum(s[key] for s in summaries) for key in ("articles", "mentions", "events")}
    print(
        f"geo: {count['articles']:,} articles, {count['mentions']:,} mentions, {count['events']:,} events"
        f" in {len(summaries)} partitions: {args.out}/mentions/, {args.out}/events/",
        file=sys.stderr,
    )
    return EXIT_SKIPPED if problems or len(paths) < len(args.paths) else EXIT_OK


def _store(args: argparse.Namespace) -> int:
    """`geo store build|status`: the parse results' store (DuckDB) the dashboard reads (results/database.py)."""
    from geo.results import database

    if args.action == "load":  # FOLDER is the output folder of geo batch
        if args.folder is None:
            print("geo: store load needs the output folder of geo batch (DIR with mentions/, events/)", file=sys.stderr)
            return EXIT_ERROR
        path = args.store or database.default_path(settings.articles_dir())
        count = database.load_parquet(path, args.folder)
        print(f"geo: {path}: {count:,} articles loaded from {args.folder}", file=sys.stderr)
        return EXIT_OK
    folder = args.folder or settings.articles_dir()
    path = args.store or database.default_path(folder)
    if args.action == "status":
        for key, value in database.status(path).items():
            print(f"{key}: {value}")
        return EXIT_OK
    if not folder.is_dir():
        print(f"geo: {folder}: no such folder", file=sys.stderr)
        return EXIT_SKIPPED
    gaz = gazetteer.load(args.gazetteer)
    with progress.bar(None, "article", progress.wanted(args.quiet)) as shown:

        def advanced(done: int, total: int) -> None:
            shown.total = total
            shown.update(done - shown.n)

        report = database.sync(folder, gaz, path, jobs=args.jobs, progress=advanced)
    for problem in report.errors:
        print(f"geo: {problem}, skipped", file=sys.stderr)
    print(f"geo: {path}: {report.summary()}", file=sys.stderr)
    return EXIT_SKIPPED if report.errors else EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from geo.gazetteer.check import check, check_lexicon  # here: `geo parse` need not import it

    root = Path(args.gazetteer) if args.gazetteer else gazetteer.default_root()
    problems = check(root) + check_lexicon()
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s) in {root} and {lexicon.default_root()}", file=sys.stderr)
    return EXIT_ERROR if problems else EXIT_OK


def _import(args: argparse.Namespace) -> int:
    """Files, folders of files, URLs and CSV tables into the articles folder."""
    from geo.corpus import importer  # imported here: 17 ms that `geo parse` does not need
    given = {k: v for k, v in (("title", args.title), ("date", args.date), ("source", args.source)) if v}
    mapping: dict[str, str] = {}
    for pair in args.column or []:
        key, sep, column = pair.partition("=")
        if key not in importer.CSV_FIELDS or not sep or (key == "text" and not column):
            print(
                f"geo: --column {pair!r}: use FIELD=COLUMN with FIELD one of {', '.join(importer.CSV_FIELDS)}"
                " (FIELD= for none)",
                file=sys.stderr,
            )
            return EXIT_ERROR
        mapping[key] = column
    to = args.to or settings.articles_dir()
    print(f"geo: importing into {to}", file=sys.stderr)
    failed = 0
    known = importer.existing_keys(to)
    sources: list[str] = []
    for given_source in args.sources:
        try:
            sources += importer.expand_source(given_source)
        except importer.ImportError_ as e:
            failed += 1
            print(f"geo: {e}", file=sys.stderr)
    with progress.bar(len(sources), "article", progress.wanted(args.quiet)) as shown:
        for source in sources:  # a folder's files one by one: a bad file is named, the others imported
            articles, error = _read_source(source, mapping or None, args)
            shown.total += len(articles) - 1  # a CSV table is as many steps as it has rows
            for article in articles:
                article.meta.update(given)
                saved = importer.save(article, to, known)
                verb = "added" if saved.added else "already there as"
                progress.say(f"{verb} {saved.path}  ({article.origin})", sys.stdout)
                shown.update()
            if error is not None:
                failed += 1
                shown.update(0 if articles else 1)
                progress.say(f"geo: {error}")
    return EXIT_SKIPPED if failed else EXIT_OK


def _read_source(
    source: str, mapping: dict[str, str] | None, args: argparse.Namespace
) -> tuple[list[importer.Imported], importer.ImportError_ | None]:
    """A source's articles, read before any is saved so that the bar knows the total; with the error
    that stopped it (the articles before a bad CSV row are saved, as they always were)."""
    from geo.corpus import importer
    articles: list[importer.Imported] = []
    try:
        for article in importer.read_source(source, mapping, args.date_format, args.allow_private):
            articles.append(article)
    except importer.ImportError_ as e:
        return articles, e
    return articles, None


def _add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """The options `geo parse` and `geo events` share: where to write, processes, gazetteer, progress."""
    parser.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=default_jobs(),
        help=f"processes over the files (default: all {default_jobs()} cores; the output is the same for any N)",
    )
    parser.add_argument("--gazetteer", type=Path, help="gazetteer folder (default: $GEO_GAZETTEER or the project's)")
    parser.add_argument("--quiet", "-q", action="store_true", help=QUIET_HELP)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="geo", description="Find Syrian places in news articles.")
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="write one record per place mention")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="article files or folders")
    p.add_argument(
        "--format",
        choices=("jsonl", "csv", "geojson"),
        default="jsonl",
        help="jsonl: a JSON record a line; csv: a header, then a row each; "
        "geojson: one FeatureCollection (default: jsonl)",
    )
    _add_run_arguments(p)
    p.add_argument(
        "--no-events",
        action="store_true",
        help="places only: skip the event step (about three times faster; event fields are empty)",
    )
    p.set_defaults(func=_parse)
    e = sub.add_parser("events", help="write one record per event, in ACLED's columns ('geo events train': retrain)")
    e.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="article files or folders; 'train' retrains the coder"
    )
    e.add_argument(
        "--format",
        choices=("csv", "jsonl", "geojson"),
        default="csv",
        help="csv: a header, then a row each; jsonl: a JSON record a line; geojson: one FeatureCollection "
        "(default: csv)",
    )
    _add_run_arguments(e)
    e.set_defaults(func=_events)
    b = sub.add_parser("batch", help="parse on a Dask cluster (local or remote) into Parquet: mentions/ and events/")
    b.add_argument(
        "paths", nargs="+", type=Path, metavar="INPUT", help="article files or folders, or JSONL of {name, text, date}"
    )
    b.add_argument("--out", type=Path, required=True, help="folder for mentions/*.parquet and events/*.parquet")
    b.add_argument("--engine", choices=("dask",), default="dask", help="the distributed engine (default: dask)")
    b.add_argument(
        "--scheduler", metavar="ADDRESS", help="a running Dask scheduler, tcp://host:8786 (default: a LocalCluster)"
    )
    b.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default: 2)")
    b.add_argument("--partitions", type=int, help="partitions of the files (default: four per worker thread)")
    b.add_argument("--gazetteer", type=Path, help="gazetteer folder, the same path on every worker")
    b.add_argument("--quiet", "-q", action="store_true", help=QUIET_HELP)
    b.set_defaults(func=_batch)
    i = sub.add_parser("import", help="add articles: files, folders, URLs or CSV tables")
    i.add_argument(
        "sources",
        nargs="+",
        metavar="PATH|URL|CSV",
        help="article files (.txt .md .html .pdf .docx), folders of them, http(s) addresses, or .csv tables",
    )
    i.add_argument(
        "--to", type=Path, help="articles folder (default: $GEO_ARTICLES or the project's articles/, the dashboard's)"
    )
    i.add_argument("--title", help="title of a single article (default: what the file or page says)")
    i.add_argument("--date", help="publication date, YYYY-MM-DD (default: what the file or page says)")
    i.add_argument("--source", help="publisher (default: what the file or page says)")
    i.add_argument(
        "--column",
        action="append",
        metavar="FIELD=COLUMN",
        help="CSV column mapping; FIELD= for none (default: FA-KES's title=article_title text=article_content "
        "source=source date=date, each used when the table has it)",
    )
    i.add_argument("--date-format", default="", help="CSV date format, e.g. %%m/%%d/%%Y (default: guessed)")
    i.add_argument(
        "--allow-private",
        action="store_true",
        default=None,
        help="let URLs reach local and private network addresses (default: refused; GEO_ALLOW_PRIVATE_URLS=1 too)",
    )
    i.add_argument("--quiet", "-q", action="store_true", help=QUIET_HELP)
    i.set_defaults(func=_import)
    st = sub.add_parser("store", help="the dashboard's store of parse results (DuckDB): build it, or its status")
    st.add_argument(
        "action",
        choices=("build", "status", "load"),
        help="build: bring it in step with the articles; status; load: add geo batch's Parquet output",
    )
    st.add_argument(
        "folder",
        nargs="?",
        type=Path,
        help="articles folder (default: $GEO_ARTICLES or articles/); load: DIR of geo batch",
    )
    st.add_argument("--store", type=Path, help="the store file (default: $GEO_STORE or FOLDER.duckdb beside FOLDER)")
    st.add_argument(
        "--jobs", "-j", type=int, default=default_jobs(), help=f"processes (default: all {default_jobs()} cores)"
    )
    st.add_argument("--gazetteer", type=Path, help="gazetteer folder (default: $GEO_GAZETTEER or the project's)")
    st.add_argument("--quiet", "-q", action="store_true", help=QUIET_HELP)
    st.set_defaults(func=_store)
    g = sub.add_parser("gazetteer", help="gazetteer tools")
    gsub = g.add_subparsers(dest="action", required=True)
    c = gsub.add_parser("check", help="validate the gazetteer and lexicon files (file:line: problem, and the fix)")
    c.add_argument("--gazetteer", type=Path, help="gazetteer folder (default: $GEO_GAZETTEER or the project's)")
    s = sub.add_parser("settings", help="the environment variables geo reads, with their defaults")
    s.set_defaults(func=lambda args: print(settings.table()) or EXIT_OK)
    c.set_defaults(func=_check)
    args = ap.parse_args(argv)
    try:
        return args.func(args)
    except GeoError as e:
        print(f"geo: {e}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK
