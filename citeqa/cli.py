"""The ``citeqa`` command: index articles, ask questions, start the chat UI."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from citeqa.arguments import DUMP_DEFAULTS, build_parser
from citeqa.printing import print_answer, shown
from qa import (
    FAQ_PRECOMPUTE_MAX_ARTICLES,
    Answer,
    CiteqaError,
    DumpFields,
    FetchSettings,
    MilvusLocation,
    ReadOptions,
    answer,
    build_index,
    build_milvus,
    default_index_dir,
    faq,
    faq_markdown,
    get_pipeline,
    make_embedder,
    migrate_to_milvus,
    parse_location,
    verify_index,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
_UNITS = {"reading": ("B", True), "duplicates": ("article", False), "embedding": ("sentence", False)}


def _llm(args: argparse.Namespace) -> dict[str, Any]:
    if args.llm is None and (args.llm_model is not None or args.llm_api != "auto"):
        raise ValueError("--llm-model and --llm-api need --llm URL")
    return {"llm": args.llm, "llm_model": args.llm_model, "llm_api": args.llm_api}


def _store(args: argparse.Namespace) -> MilvusLocation | None:
    """The Milvus store the options name, or None for the index folder."""
    if getattr(args, "store", None) is None:
        if getattr(args, "store_user", None):
            raise ValueError("--store-user needs --store")
        return None
    if getattr(args, "index_dir", None):
        raise ValueError("give --index-dir or --store, not both")
    return parse_location(args.store, user=args.store_user, password=os.environ.get("CITEQA_MILVUS_PASSWORD"))


def answer_to_json(result: Answer) -> dict[str, Any]:
    """The answer as JSON-ready data, with the same fields as :class:`qa.Answer`."""
    return result.to_dict()


def _read_options(args: argparse.Namespace) -> ReadOptions:
    chosen = {name: (value,) for name in DUMP_DEFAULTS if (value := getattr(args, f"{name}_field"))}
    fetch = FetchSettings(timeout_s=args.fetch_timeout) if args.fetch_timeout is not None else FetchSettings()
    return ReadOptions(fields=DumpFields(**chosen), fetch=fetch)


def _index(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def progress(done: int, total: int, stage: str) -> None:
        # One bar per stage: bytes of the sources while reading, sentences while embedding.
        bar = bars.get(stage)
        if bar is None:
            for other in bars.values():
                other.close()
            unit, scale = _UNITS.get(stage, ("item", False))
            bar = bars[stage] = tqdm(total=total, desc=stage, unit=unit, unit_scale=scale, file=sys.stderr)
        bar.update(done - bar.n)

    read = _read_options(args)
    store = _store(args)
    embedder = make_embedder(args.model) if args.model else None
    try:
        if store is not None:
            report = build_milvus(
                args.paths, store, embedder=embedder, rebuild=args.rebuild, progress=progress, read=read
            )
        else:
            report = build_index(
                args.paths,
                args.index_dir or default_index_dir(),
                embedder=embedder,
                rebuild=args.rebuild,
                progress=progress,
                read=read,
            )
    finally:
        for bar in bars.values():
            bar.close()
    if report.repaired:
        print(f"repaired: the live index was damaged ({report.repaired}); rebuilt from the sources", file=sys.stderr)
    for err in report.errors:
        print(f"skipped: {err}", file=sys.stderr)
    grouped = f", {report.stories} stories with near-duplicates" if report.stories else ""
    copies = f", {len(report.copies)} exact copies indexed once" if report.copies else ""
    print(
        f"{report.articles} articles, {report.chunks} chunks: {len(report.added)} added, "
        f"{len(report.updated)} updated, {len(report.removed)} removed, {report.unchanged} unchanged"
        f"{copies}{grouped}"
    )
    if not args.no_faq and report.articles <= FAQ_PRECOMPUTE_MAX_ARTICLES:
        pipeline = get_pipeline(None if store else args.index_dir or default_index_dir(), store=store)
        for article in pipeline.articles():
            items = faq(pipeline, article.id)
            print(f"FAQ for {article.id}: {len(items)} questions")
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    directory = args.index_dir or default_index_dir()
    generation, manifest = verify_index(directory)
    checked = (
        "sizes, sha256 checksums and shapes match"
        if manifest.checksums
        else "sizes and shapes match (no checksums: built by an older citeqa; the next 'citeqa index' adds them)"
    )
    print(f"ok: {directory} ({generation}): {manifest.articles} articles, {manifest.chunks} chunks; {checked}")
    return EXIT_OK


def _faq(args: argparse.Namespace) -> int:
    pipeline = get_pipeline(args.index_dir, store=_store(args), **_llm(args))
    articles = pipeline.articles()
    if args.list:
        for a in articles:
            when = a.published.isoformat() if a.published else "undated"
            print(f"{shown(a.id)}\t{when}\t{len(a.text) - a.body_start:,} chars\t{shown(a.title)}")
        return EXIT_OK
    chosen = [args.article] if args.article else [a.id for a in articles]
    out = {article_id: faq(pipeline, article_id, refresh=args.refresh) for article_id in chosen}
    if args.json:
        data = {k: [{"question": i.question, "answer": i.answer.to_dict()} for i in v] for k, v in out.items()}
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    if args.markdown:
        for article_id, items in out.items():
            print(shown(faq_markdown(pipeline.article(article_id), items)))
        return EXIT_OK
    for article_id, items in out.items():
        print(f"# {shown(pipeline.article(article_id).title)}  [{shown(article_id)}]")
        if not items:
            print("(no question held up: none was answered from this article)")
        for item in items:
            print(f"\nQ: {shown(item.question)}")
            print_answer(item.answer)
        print()
    return EXIT_OK


def _ask(args: argparse.Namespace) -> int:
    result = answer(
        args.question, index_dir=args.index_dir, top_k=args.top_k, reader=args.reader, store=_store(args), **_llm(args)
    )
    if args.json:
        print(json.dumps(answer_to_json(result), ensure_ascii=False, indent=2))
    else:
        print_answer(result)
    return EXIT_OK


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def _logins(auth: str | None, auth_file: str | None) -> list[tuple[str, str]] | None:
    """(user, password) pairs from ``--auth`` and ``--auth-file``; errors name the line, never a password."""
    lines = [("--auth", auth)] if auth is not None else []
    if auth_file is not None:
        with open(auth_file, encoding="utf-8") as handle:
            lines += [(f"{auth_file} line {n}", line.strip()) for n, line in enumerate(handle, start=1)]
    logins = []
    for where, line in lines:
        if not line or line.startswith("#"):
            continue
        user, colon, password = line.partition(":")
        if not (user and colon and password):
            raise ValueError(f"{where}: a login must be USER:PASS with neither part empty")
        logins.append((user, password))
    if auth_file is not None and not logins:
        raise ValueError(f"{auth_file}: no USER:PASS line; the chat would have no login")
    return logins or None


def _chat(args: argparse.Namespace) -> int:
    from ui.app import launch

    auth = _logins(args.auth, args.auth_file)
    if args.host not in LOCAL_HOSTS and not auth:
        # The chat has no login: whoever reaches the port can ask and upload articles.
        print(
            f"citeqa chat: warning: serving on {args.host}:{args.port} without authentication; anyone who can "
            "reach it can ask questions and add articles to the index (bind 127.0.0.1 to keep it local)",
            file=sys.stderr,
        )

    launch(
        args.index_dir, reader=args.reader, host=args.host, port=args.port, auth=auth, store=_store(args), **_llm(args)
    )
    return EXIT_OK


def _eval(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from evals import faq, nearmiss, newsqa, squad

    if args.limit is not None and args.limit <= 0:
        raise ValueError(f"--limit must be greater than 0, got {args.limit}")
    groups = {"both": ("open", "closed"), "all": ("open", "closed", "unanswerable")}
    settings = groups.get(args.setting, (args.setting,))
    benchmark = newsqa if args.benchmark == "newsqa" else squad
    if args.benchmark == "newsqa" and "unanswerable" in settings:
        raise ValueError(f"newsqa has no unanswerable setting; valid: {', '.join(newsqa.SETTINGS)}, both")
    bar = tqdm(desc="questions", unit="q", file=sys.stderr)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    if args.benchmark == "nearmiss":
        if args.setting not in ("both", "open") or args.store:
            raise ValueError("nearmiss is asked in the open setting over the cached index folders only")
        summary = nearmiss.evaluate(
            args.path,
            squad_path=args.squad or nearmiss.DEFAULT_SQUAD,
            newsqa_folder=args.newsqa or nearmiss.DEFAULT_NEWSQA,
            limit=args.limit,
            seed=nearmiss.DEFAULT_SEED if args.seed is None else args.seed,
            reader=args.reader,
            progress=progress,
            **_llm(args),
        )
        shown = squad.to_json({k: v for k, v in summary.items() if k != "questions"})
    elif args.benchmark == "faq":
        summary = faq.evaluate(
            args.path,
            stories=args.stories or faq.DEFAULT_STORIES,
            dated=args.dated,
            kinds=args.kinds,
            limit=args.limit,
            seed=faq.DEFAULT_SEED if args.seed is None else args.seed,
            reader=args.reader,
            progress=progress,
            repack=True,
            store=_store(args),
            **_llm(args),
        )
        shown = squad.to_json(summary) if args.json else faq.table(summary)
    else:
        summary = benchmark.evaluate(
            args.path,
            limit=args.limit,
            seed=benchmark.DEFAULT_SEED if args.seed is None else args.seed,
            reader=args.reader,
            settings=settings,
            progress=progress,
            repack=True,  # hundreds of answers from one model load
            store=_store(args),
            **_llm(args),
        )
        # The per-question records go to --out only; the terminal gets the summary.
        shown = squad.to_json({k: v for k, v in summary.items() if k != "questions"})
    bar.close()
    print(shown)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            out.write(squad.to_json(summary) + "\n")
    return EXIT_OK


def _migrate(args: argparse.Namespace) -> int:
    store = parse_location(args.store, user=args.store_user, password=os.environ.get("CITEQA_MILVUS_PASSWORD"))
    report = migrate_to_milvus(args.source, store)
    print(
        f"copied to {store}: {report.articles} articles, {report.sentences} sentences, {report.chunks} chunks "
        "(counts checked in Milvus; nothing embedded)"
    )
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failed, 2 bad input)."""
    args = build_parser().parse_args(argv)
    handlers = {
        "index": _index,
        "ask": _ask,
        "chat": _chat,
        "eval": _eval,
        "faq": _faq,
        "verify": _verify,
        "migrate": _migrate,
    }
    try:
        return handlers[args.command](args)
    except (CiteqaError, OSError, ValueError) as err:  # OSError: a path that cannot be read or written
        print(f"citeqa {args.command}: error: {err}", file=sys.stderr)
        return EXIT_USAGE if isinstance(err, ValueError | FileNotFoundError) else EXIT_FAILED
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
