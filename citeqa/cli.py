"""The ``citeqa`` command: index articles, ask questions, start the chat UI."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from index import CiteqaError, build_index
from qa import MAX_QUESTION_CHARS, Answer, answer, default_index_dir

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="citeqa", description="Answer questions over news articles, citing the exact spans that support them."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p_index = sub.add_parser(
        "index",
        help="build or update an index from .txt/.md files and folders",
        description="Build or update an index. Unchanged articles are not re-embedded; "
        "files gone from an indexed folder are removed.",
    )
    p_index.add_argument("paths", nargs="+", metavar="PATH", help="files or folders of .txt/.md articles")
    p_index.add_argument("--index-dir", help=f"index folder (default: {default_index_dir()})")
    p_index.add_argument("--rebuild", action="store_true", help="re-embed everything, replacing the index")

    p_ask = sub.add_parser(
        "ask",
        help="answer one question with citations",
        description="Answer a question from the index, citing the exact spans.",
    )
    p_ask.add_argument("question", help=f"the question (at most {MAX_QUESTION_CHARS:,} characters)")
    p_ask.add_argument("--index-dir", help="index folder (default: the index of seeds/, built when needed)")
    p_ask.add_argument("--json", action="store_true", help="print the Answer as JSON")
    p_ask.add_argument("--top-k", type=int, default=4, help="passages retrieved (default: 4)")
    p_ask.add_argument(
        "--reader", default="llm", help="'llm' (default), 'llm-fast', 'sentence', 'llm:<model>' or 'extractive:<model>'"
    )

    p_chat = sub.add_parser(
        "chat",
        help="start the chat UI in the browser",
        description="Serve the Gradio chat UI (on 127.0.0.1:7860 unless told otherwise).",
    )
    p_chat.add_argument("--index-dir", help="index folder (default: the index of seeds/, built when needed)")
    p_chat.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p_chat.add_argument("--port", type=int, default=7860, help="port (default: 7860)")
    p_chat.add_argument("--reader", default="llm", help="reader, as for 'ask'")
    p_eval = sub.add_parser(
        "eval",
        help="measure answer quality on a benchmark",
        description="Run the real pipeline on a benchmark and score it.",
    )
    p_eval.add_argument("benchmark", choices=["squad"], help="the benchmark (SQuAD v1.1 dev)")
    p_eval.add_argument("path", help="path to dev-v1.1.json")
    p_eval.add_argument("--limit", type=int, help="questions in a stratified, repeatable sample (default: all)")
    p_eval.add_argument("--seed", type=int, default=13, help="sampling seed (default: 13)")
    p_eval.add_argument("--reader", default="llm", help="reader, as for 'ask'")
    p_eval.add_argument(
        "--setting",
        choices=["open", "closed", "unanswerable", "both", "all"],
        default="both",
        help="open: all paragraphs indexed; closed: each question's own paragraph; unanswerable: its own "
        "article left out, so it should abstain; both: open and closed (default); all: the three",
    )
    p_eval.add_argument("--out", help="also write the summary, with every question's answer and score, to this file")
    return parser


def answer_to_json(result: Answer) -> dict[str, Any]:
    """The answer as JSON-ready data, with the same fields as :class:`qa.Answer`."""
    return result.to_dict()


def _print_answer(result: Answer) -> None:
    if result.abstained:
        print(f"The articles do not say. ({result.reason})")
        return
    print(f"{result.text}  (confidence {result.score:.2f})")
    for i, c in enumerate(result.citations, start=1):
        when = c.published.isoformat() if c.published else "undated"
        print(f"\n[{i}] {c.title} ({when}) [{c.article_id}:{c.start}-{c.end}]\n    \u201c{c.quote}\u201d")


def _index(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    bar: tqdm | None = None

    def progress(done: int, total: int, stage: str) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc=stage, unit="chunk", file=sys.stderr)
        bar.update(done - bar.n)

    report = build_index(args.paths, args.index_dir or default_index_dir(), rebuild=args.rebuild, progress=progress)
    if bar is not None:
        bar.close()
    for err in report.errors:
        print(f"skipped: {err}", file=sys.stderr)
    print(
        f"{report.articles} articles, {report.chunks} chunks: {len(report.added)} added, "
        f"{len(report.updated)} updated, {len(report.removed)} removed, {report.unchanged} unchanged"
    )
    return EXIT_OK


def _ask(args: argparse.Namespace) -> int:
    result = answer(args.question, index_dir=args.index_dir, top_k=args.top_k, reader=args.reader)
    if args.json:
        print(json.dumps(answer_to_json(result), ensure_ascii=False, indent=2))
    else:
        _print_answer(result)
    return EXIT_OK


def _chat(args: argparse.Namespace) -> int:
    from ui.app import launch

    launch(args.index_dir, reader=args.reader, host=args.host, port=args.port)
    return EXIT_OK


def _eval(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from qa.squad import evaluate, to_json

    if args.limit is not None and args.limit <= 0:
        raise ValueError(f"--limit must be greater than 0, got {args.limit}")
    groups = {"both": ("open", "closed"), "all": ("open", "closed", "unanswerable")}
    settings = groups.get(args.setting, (args.setting,))
    bar = tqdm(desc="questions", unit="q", file=sys.stderr)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    summary = evaluate(
        args.path, limit=args.limit, seed=args.seed, reader=args.reader, settings=settings, progress=progress
    )
    bar.close()
    # The per-question records go to --out only; the terminal gets the summary.
    print(to_json({k: v for k, v in summary.items() if k != "questions"}))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            out.write(to_json(summary) + "\n")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failed, 2 bad input)."""
    args = _parser().parse_args(argv)
    handlers = {"index": _index, "ask": _ask, "chat": _chat, "eval": _eval}
    try:
        return handlers[args.command](args)
    except (CiteqaError, FileNotFoundError, ValueError) as err:
        print(f"citeqa {args.command}: error: {err}", file=sys.stderr)
        return EXIT_USAGE if isinstance(err, ValueError | FileNotFoundError) else EXIT_FAILED
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
