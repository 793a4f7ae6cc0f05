"""Speed and scale: citeqa beside LangChain and Haystack (same model, corpus and machine); writes docs/performance.md.

    .venv/bin/python benchmarks/performance.py ../shared/data/squad-v1.1/dev-v1.1.json \\
        --sizes 1000 10000 --peers langchain haystack --repeats 3 --faiss 1000000 --out docs/performance.md
    .venv/bin/python benchmarks/performance.py ../shared/data/squad-v1.1/dev-v1.1.json --quick   # what CI runs

Corpora: the first N SQuAD v1.1 dev paragraphs as articles (``# Title`` then the paragraph); past
the 2,067 real ones, article k is made deterministically by ``random.Random(k)``: a real Wikipedia
title, then 4–8 sentences drawn from all dev-set sentences (split by citeqa's own splitter), and a
date 2015-01-01 + (k mod 3,650) days. Every build runs in a fresh worker process, so its peak
memory (ru_maxrss of that process) is its own. Peers (``--peers``) need the packages in
``benchmarks/requirements-peers.txt``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SEED_QUESTIONS = [
    "Who led the armed group?",
    "Why did Serbia pull troops back?",
    "Who is Germany's ambassador to the US?",
    "What party is Milan Radoičić the deputy leader of?",
    "Who took responsibility for the shootout?",
]
CHUNK_CHARS = 800
DEFAULT_SYSTEM = "citeqa-onnx-qint8"  # what `citeqa index` and the chat UI build
SYSTEMS = ["citeqa", "citeqa-onnx-int8", DEFAULT_SYSTEM]


# ---------------------------------------------------------------- corpora


def make_corpus(squad: Path, size: int, root: Path) -> tuple[Path, list[tuple[str, list[str], str]]]:
    """Write ``size`` articles under ``root/corpus-<size>``.

    Returns:
        The folder, and the SQuAD (question, gold answers, article id) triples whose paragraph is in it.
    """
    from evals.squad import load_squad
    from index.chunk import split_sentences

    paragraphs, questions = load_squad(squad)
    folder = root / f"corpus-{size}"
    real = list(paragraphs.items())
    if not (folder / ".complete").exists():
        folder.mkdir(parents=True, exist_ok=True)
        pool = [ctx[s.start : s.end] for _, (_, ctx) in real for s in split_sentences(ctx, 0)]
        titles = sorted({title for _, (title, _) in real})
        start = date(2015, 1, 1)
        for k in range(size):
            if k < len(real):
                article_id, (title, text) = real[k]
                name = article_id.replace("/", "__")
            else:
                rng = random.Random(k)
                title = rng.choice(titles)
                text = " ".join(rng.choice(pool) for _ in range(rng.randint(4, 8)))
                name = f"gen-{k:07d}"
            day = start + timedelta(days=k % 3650)
            (folder / f"{name}.md").write_text(f"date {day.isoformat()}\n# {title}\n\n{text}\n", encoding="utf-8")
        (folder / ".complete").write_text("ok\n")
    in_corpus = {article_id.replace("/", "__") for article_id, _ in real[:size]}
    asked = [(q.question, list(q.answers), q.article_id.replace("/", "__")) for q in questions]
    return folder, [a for a in asked if a[2] in in_corpus]


def newsqa_sample(folder: Path, limit: int) -> tuple[Path, list[tuple[str, list[str], str]]]:
    """The NewsQA stories folder and the sample ``citeqa eval newsqa --limit N`` asks (seed 7)."""
    from evals.newsqa import load_newsqa, sample

    stories, questions = load_newsqa(folder)
    return stories, [(q.question, list(q.answers), q.article_id) for q in sample(questions, limit)]


def percentiles(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": statistics.median(ordered), "p95": p95, "n": len(ordered)}


# ---------------------------------------------------------------- workers (one process per build)


def worker_citeqa(corpus: Path, index_dir: Path, questions: list[list[str]], embedder: str) -> dict[str, Any]:
    from index import build_index
    from index.embed import make_embedder

    model = make_embedder(embedder)
    began = time.perf_counter()
    report = build_index([corpus], index_dir, embedder=model)
    seconds = time.perf_counter() - began
    return {"build_s": seconds, "articles": report.articles, "chunks": report.chunks, **retrieval(index_dir, questions)}


def retrieval(index_dir: Path, questions: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """Warm retrieval latency and recall@5 of a built citeqa index (its own embedding model)."""
    from qa import Pipeline, SentenceReader

    retriever = Pipeline(index_dir, reader=SentenceReader()).retriever
    retriever.search("warm up", 5)
    times, found = [], 0
    for question, _, article_id in questions:
        t = time.perf_counter()
        hits = retriever.search(question, 5)
        times.append(time.perf_counter() - t)
        found += article_id in {h.chunk.article_id for h in hits}
    return {"retrieval": percentiles(times), "recall@5": found / max(len(questions), 1)}


def _files(corpus: Path) -> list[tuple[str, str]]:
    files = sorted([*corpus.glob("*.md"), *corpus.glob("*.txt")])
    return [(p.stem, p.read_text(encoding="utf-8")) for p in files]


def langchain_store(corpus: Path, embedder: str, chunk: int = CHUNK_CHARS, overlap: int = 100) -> tuple[Any, int, int]:
    """LangChain's usual path: split, ``HuggingFaceEmbeddings``, ``FAISS.from_documents``; (store, articles, chunks)."""
    from langchain_community.vectorstores import FAISS
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from index.models import resolve_model

    docs = [Document(page_content=text, metadata={"source": stem}) for stem, text in _files(corpus)]
    chunks = RecursiveCharacterTextSplitter(chunk_size=chunk, chunk_overlap=overlap).split_documents(docs)
    embeddings = HuggingFaceEmbeddings(model_name=resolve_model(embedder), encode_kwargs={"normalize_embeddings": True})
    return FAISS.from_documents(chunks, embeddings), len(docs), len(chunks)


def worker_langchain(corpus: Path, index_dir: Path, questions: list[list[str]], embedder: str) -> dict[str, Any]:
    began = time.perf_counter()
    store, articles, chunks = langchain_store(corpus, embedder)
    seconds = time.perf_counter() - began
    store.similarity_search("warm up", k=5)
    times, found = [], 0
    for question, _, article_id in questions:
        t = time.perf_counter()
        hits = store.similarity_search(question, k=5)
        times.append(time.perf_counter() - t)
        found += article_id in {h.metadata["source"] for h in hits}
    return {
        "build_s": seconds,
        "articles": articles,
        "chunks": chunks,
        "retrieval": percentiles(times),
        "recall@5": found / max(len(questions), 1),
    }


def worker_haystack(corpus: Path, index_dir: Path, questions: list[list[str]], embedder: str) -> dict[str, Any]:
    from haystack import Document
    from haystack.components.preprocessors import DocumentSplitter
    from haystack.components.retrievers.in_memory import InMemoryBM25Retriever, InMemoryEmbeddingRetriever
    from haystack.document_stores.in_memory import InMemoryDocumentStore
    from haystack_integrations.components.embedders.sentence_transformers import (
        SentenceTransformersDocumentEmbedder,
        SentenceTransformersTextEmbedder,
    )

    from index.models import resolve_model

    model = resolve_model(embedder)
    began = time.perf_counter()
    docs = [Document(content=text, meta={"source": stem}) for stem, text in _files(corpus)]
    # split_by="sentence" needs NLTK data, a download; words are Haystack's other usual unit.
    chunks = DocumentSplitter(split_by="word", split_length=150, split_overlap=20).run(docs)["documents"]
    doc_embedder = SentenceTransformersDocumentEmbedder(model=model, normalize_embeddings=True, progress_bar=False)
    doc_embedder.warm_up()
    store = InMemoryDocumentStore(embedding_similarity_function="cosine")
    store.write_documents(doc_embedder.run(chunks)["documents"])
    seconds = time.perf_counter() - began
    text_embedder = SentenceTransformersTextEmbedder(model=model, normalize_embeddings=True, progress_bar=False)
    text_embedder.warm_up()
    dense = InMemoryEmbeddingRetriever(store, top_k=5)
    lexical = InMemoryBM25Retriever(store, top_k=5)
    times, found = [], 0
    for question, _, article_id in questions:
        t = time.perf_counter()
        vector = text_embedder.run(question)["embedding"]
        hits = dense.run(query_embedding=vector)["documents"] + lexical.run(query=question)["documents"]
        times.append(time.perf_counter() - t)
        found += article_id in {h.meta["source"] for h in hits[:5]}
    return {
        "build_s": seconds,
        "articles": len(docs),
        "chunks": len(chunks),
        "retrieval": percentiles(times),
        "recall@5": found / max(len(questions), 1),
    }


LANGCHAIN_STUFF_PROMPT = (
    "Use the following pieces of context to answer the question at the end. If you don't know the answer, "
    "just say that you don't know, don't try to make up an answer.\n\n{context}\n\nQuestion: {question}\n"
    "Helpful Answer:"
)  # LangChain's classic "stuff" QA prompt


# LangChain's RAG tutorial: its splitter settings and its "rlm/rag-prompt", sent as a chat message.
RAG_TUTORIAL_PROMPT = (
    "You are an assistant for question-answering tasks. Use the following pieces of retrieved context to "
    "answer the question. If you don't know the answer, just say that you don't know. Use three sentences "
    "maximum and keep the answer concise.\nQuestion: {question} \nContext: {context} \nAnswer:"
)


def worker_answers(corpus: Path, index_dir: Path, questions: list[list[Any]], system: str) -> dict[str, Any]:
    """Full answers over the same corpus: citeqa's pipeline, or LangChain's stuff chain over the same GGUF model."""
    from evals.scoring import best_over, exact_match, f1
    from qa.llm import DEFAULT_LLM, resolve_gguf

    # The same GGUF and settings for both LangChain wrappers (completion and chat).
    llama = {"model_path": str(resolve_gguf(DEFAULT_LLM)), "n_ctx": 4096, "n_threads": os.cpu_count()}
    llama |= {"temperature": 0.0, "verbose": False}
    if system == "citeqa":
        from index import build_index
        from qa import Pipeline

        build_index([corpus], index_dir)
        pipeline = Pipeline(index_dir)
        pipeline.answer(questions[0][0])

        def ask(question: str) -> str:
            return pipeline.answer(question).text or ""
    elif system == "langchain-tutorial":
        from langchain_community.chat_models import ChatLlamaCpp

        store, _, _ = langchain_store(corpus, "sentence-transformers/all-MiniLM-L6-v2", chunk=1000, overlap=200)
        chat = ChatLlamaCpp(**llama, max_tokens=64)

        def ask(question: str) -> str:
            context = "\n\n".join(d.page_content for d in store.similarity_search(question, k=4))
            reply = chat.invoke([("human", RAG_TUTORIAL_PROMPT.format(question=question, context=context))])
            return str(reply.content).strip()

        ask(questions[0][0])
    else:
        from langchain_community.llms import LlamaCpp
        from langchain_core.prompts import PromptTemplate

        store, _, _ = langchain_store(corpus, "sentence-transformers/all-MiniLM-L6-v2")
        llm = LlamaCpp(**llama, max_tokens=48)
        chain = PromptTemplate.from_template(LANGCHAIN_STUFF_PROMPT) | llm

        def ask(question: str) -> str:
            context = "\n\n".join(d.page_content for d in store.similarity_search(question, k=4))
            return str(chain.invoke({"context": context, "question": question})).strip().split("\n")[0]

        ask(questions[0][0])
    times, em, f1s = [], 0.0, 0.0
    for question, answers, _ in questions:
        t = time.perf_counter()
        predicted = ask(question)
        times.append(time.perf_counter() - t)
        em += best_over(exact_match, predicted, answers)
        f1s += best_over(f1, predicted, answers)
    n = len(questions)
    return {"answer": percentiles(times), "em": 100 * em / n, "f1": 100 * f1s / n}


WORKERS: dict[str, Callable[..., dict[str, Any]]] = {
    "answers-citeqa": lambda c, i, q: worker_answers(c, i, q, "citeqa"),
    "answers-langchain-stuff": lambda c, i, q: worker_answers(c, i, q, "langchain"),
    "answers-langchain-tutorial": lambda c, i, q: worker_answers(c, i, q, "langchain-tutorial"),
    "citeqa": lambda c, i, q: worker_citeqa(c, i, q, "sentence-transformers/all-MiniLM-L6-v2"),
    "citeqa-onnx-int8": lambda c, i, q: worker_citeqa(c, i, q, "all-MiniLM-L6-v2-onnx-int8"),
    "citeqa-onnx-qint8": lambda c, i, q: worker_citeqa(c, i, q, "all-MiniLM-L6-v2-onnx-qint8"),
    "langchain": lambda c, i, q: worker_langchain(c, i, q, "sentence-transformers/all-MiniLM-L6-v2"),
    "haystack": lambda c, i, q: worker_haystack(c, i, q, "sentence-transformers/all-MiniLM-L6-v2"),
}


def run_worker(
    system: str, corpus: Path, questions: list[tuple[str, list[str], str]], keep: Path | None = None
) -> dict[str, Any]:
    """Build and query in a fresh process; add its peak memory.

    ``keep``: build the index there (from scratch) and keep it, for the measurements that follow.
    """
    import shutil

    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "spec.json"
        spec.write_text(json.dumps({"system": system, "corpus": str(corpus), "questions": questions}))
        out = Path(tmp) / "out.json"
        if keep is not None:
            shutil.rmtree(keep, ignore_errors=True)
        index_dir = keep or Path(tmp) / "ix"
        proc = subprocess.Popen([sys.executable, __file__, "_worker", str(spec), str(index_dir), str(out)])
        _, status, usage = os.wait4(proc.pid, 0)
        if status != 0 or not out.exists():
            raise RuntimeError(f"{system} worker failed (status {status})")
        result: dict[str, Any] = json.loads(out.read_text())
        result["peak_mb"] = usage.ru_maxrss / 1024
        return result


# ---------------------------------------------------------------- answers, cold start, updates


def answer_latency(index_dir: Path, reader: str, repeats: int, repack: bool | None = None) -> dict[str, float]:
    """Warm answers over the seeds; ``repack``: load the LLM with repacked weights (None: the default)."""
    from qa import Pipeline

    pipeline = Pipeline(index_dir, reader=reader, repack=repack)
    pipeline.answer(SEED_QUESTIONS[0])
    times = []
    for _ in range(repeats):
        for question in SEED_QUESTIONS:
            t = time.perf_counter()
            pipeline.answer(question)
            times.append(time.perf_counter() - t)
    return percentiles(times)


def cold_start(index_dir: Path, repeats: int, env: dict[str, str] | None = None) -> dict[str, dict[str, float]]:
    """Fresh process to first answer, with a built index: the CLI and a Python import."""
    cli = [str(Path(sys.executable).parent / "citeqa"), "ask", SEED_QUESTIONS[0], "--index-dir", str(index_dir)]
    code = f"from qa import answer; print(answer({SEED_QUESTIONS[0]!r}, index_dir={str(index_dir)!r}).text)"
    out = {}
    for name, argv in (("cli", cli), ("python", [sys.executable, "-c", code])):
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True, env={**os.environ, **(env or {})})
            times.append(time.perf_counter() - t)
        out[name] = percentiles(times)
    return out


def answers_by_size(index_dirs: dict[int, Path], questions: list[tuple[str, list[str], str]]) -> dict[str, Any]:
    """Warm full answers (default reader) to the same questions over indexes of each corpus size."""
    from qa import Pipeline

    out: dict[str, Any] = {}
    for size, index_dir in sorted(index_dirs.items()):
        pipeline = Pipeline(index_dir, reader="llm", repack=True)  # a long-lived process, as the chat server is
        pipeline.answer(questions[0][0])
        times = []
        for question, _, _ in questions:
            t = time.perf_counter()
            pipeline.answer(question)
            times.append(time.perf_counter() - t)
        out[str(size)] = percentiles(times)
        del pipeline
    return out


def incremental(corpus: Path, size: int, squad: Path, root: Path, index_dir: Path | None = None) -> dict[str, float]:
    """On a built index of ``corpus`` (``index_dir``, else one built here): add 1% new articles, then delete them."""
    import shutil

    from index import build_index

    if index_dir is None:
        index_dir = root / f"ix-incremental-{size}"
        build_index([corpus], index_dir)
    extra_n = max(1, size // 100)
    extra, _ = make_corpus(squad, size + extra_n, root)
    work = root / f"incremental-{size}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    for p in sorted(extra.glob("*.md")):
        if not (corpus / p.name).exists():
            shutil.copy(p, work / p.name)
    t = time.perf_counter()
    added = build_index([corpus, work], index_dir)
    add_s = time.perf_counter() - t
    for p in work.glob("*.md"):
        p.unlink()
    t = time.perf_counter()
    removed = build_index([corpus, work], index_dir)
    delete_s = time.perf_counter() - t
    return {
        "articles": size,
        "added": len(added.added),
        "add_s": add_s,
        "removed": len(removed.removed),
        "delete_s": delete_s,
    }


# ---------------------------------------------------------------- FAISS at scale


def realistic_vectors(squad: Path, n: int, queries: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` chunk-like vectors and ``queries`` question vectors with the structure of real embeddings.

    Base: the int8 MiniLM embeddings of every SQuAD dev sentence. Vector k is ``e_i + w * e_j`` plus
    a little noise (i, j drawn at random, w in [0, 0.6]), normalised: a passage mixing two real
    sentences. Queries are real SQuAD questions, embedded the same way.
    """
    import faiss

    from evals.squad import load_squad
    from index.chunk import split_sentences
    from index.embed import OnnxEmbedder

    paragraphs, questions = load_squad(squad)
    sentences = [ctx[x.start : x.end] for _, ctx in paragraphs.values() for x in split_sentences(ctx, 0)]
    embedder = OnnxEmbedder()
    base = embedder.embed(sentences)
    rng = np.random.default_rng(seed)
    xq = embedder.embed([q.question for q in rng.choice(np.array(questions, dtype=object), queries, replace=False)])
    data = np.empty((n, base.shape[1]), dtype=np.float32)
    for begin in range(0, n, 100_000):
        m = min(100_000, n - begin)
        i, j = rng.integers(0, len(base), m), rng.integers(0, len(base), m)
        w = rng.uniform(0, 0.6, (m, 1)).astype(np.float32)
        data[begin : begin + m] = base[i] + w * base[j] + 0.02 * rng.standard_normal((m, base.shape[1]))
    faiss.normalize_L2(data)
    return data, np.ascontiguousarray(xq, dtype=np.float32)


def faiss_scale(squad: Path, n: int, queries: int = 300, seed: int = 0) -> list[dict[str, Any]]:
    """Flat vs HNSW (float and 8-bit) vs IVF-PQ on ``n`` realistic vectors (see :func:`realistic_vectors`)."""
    import faiss

    from index.stores.embedded import HNSW_EF_CONSTRUCTION

    data, xq = realistic_vectors(squad, n, queries, seed)
    rng = np.random.default_rng(seed)
    d = data.shape[1]
    nlist = max(16, int(4 * np.sqrt(n)))
    sq8: Any = faiss.ScalarQuantizer.QT_8bit

    def hnsw(index: Any, ef_construction: int = 40) -> Any:
        index.hnsw.efConstruction = ef_construction
        return index

    configs: list[tuple[str, Callable[[], Any], str, list[int]]] = [
        ("flat", lambda: faiss.IndexFlatIP(d), "", [0]),
        ("hnsw32", lambda: hnsw(faiss.IndexHNSWFlat(d, 32, faiss.METRIC_INNER_PRODUCT)), "efSearch", [128, 256, 512]),
        (
            "hnsw32-sq8",
            lambda: hnsw(faiss.IndexHNSWSQ(d, sq8, 32, faiss.METRIC_INNER_PRODUCT)),
            "efSearch",
            [256, 512, 1024, 1536],
        ),
        (
            f"hnsw32-sq8-efc{HNSW_EF_CONSTRUCTION}",  # the index citeqa builds
            lambda: hnsw(faiss.IndexHNSWSQ(d, sq8, 32, faiss.METRIC_INNER_PRODUCT), HNSW_EF_CONSTRUCTION),
            "efSearch",
            [512, 1024],
        ),
        (
            f"ivf{nlist}-pq48",
            lambda: faiss.IndexIVFPQ(faiss.IndexFlatIP(d), d, nlist, 48, 8, faiss.METRIC_INNER_PRODUCT),
            "nprobe",
            [32, 128],
        ),
    ]
    rows: list[dict[str, Any]] = []
    truth = None
    for name, make, knob, values in configs:
        index = make()
        t = time.perf_counter()
        if not index.is_trained:
            index.train(data[rng.choice(n, min(n, 50 * nlist), replace=False)])
        index.add(data)
        build_s = time.perf_counter() - t
        size = faiss.serialize_index(index).nbytes
        for value in values:
            if knob == "efSearch":
                index.hnsw.efSearch = value
            elif knob == "nprobe":
                index.nprobe = value
            times = []
            found = np.zeros((len(xq), 10), dtype=np.int64)
            for i in range(len(xq)):
                t = time.perf_counter()
                _, ids = index.search(xq[i : i + 1], 10)
                times.append(time.perf_counter() - t)
                found[i] = ids[0]
            if truth is None:
                truth = found
            recall = float(np.mean([len(set(found[i]) & set(truth[i])) / 10 for i in range(len(xq))]))
            lat = percentiles(times)
            rows.append(
                {
                    "index": name + (f" ({knob} {value})" if knob else ""),
                    "n": n,
                    "build_s": build_s,
                    "bytes": size,
                    "bytes_per_vector": size / n,
                    "p50_ms": 1000 * lat["p50"],
                    "p95_ms": 1000 * lat["p95"],
                    "recall@10": recall,
                }
            )
        del index
    return rows


# ---------------------------------------------------------------- report


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}, {platform.system()}"


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [
        f"## {title}",
        "",
        "| " + " | ".join(header) + " |",
        "|" + " --- |" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
    ]


def _latency_rows(latencies: dict[str, dict[str, float]]) -> list[list[str]]:
    return [[name, f"{r['p50']:.2f}", f"{r['p95']:.2f}", f"{r['n']}"] for name, r in latencies.items()]


def report(results: dict[str, Any], command: str) -> str:
    lines = [
        "# Performance",
        "",
        f"Machine: {results['machine']}. Measured {results['date']}.",
        "",
        f"Command: `{command}`",
        "",
    ]
    builds = results.get("builds", [])
    if builds:
        rows = []
        for size in sorted({b["size"] for b in builds}):
            group = [b for b in builds if b["size"] == size]
            base = next((b for b in group if b["system"] == "langchain"), None)
            for b in group:
                cps = b["chunks"] / b["build_s"]
                ratio = f"{cps / (base['chunks'] / base['build_s']):.2f}x" if base else "–"
                runs = ", ".join(f"{x:.1f}" for x in b["runs"])
                retrieval = b["retrieval"]
                rows.append(
                    [
                        f"{size:,}",
                        b["system"],
                        f"{b['build_s']:.1f} (runs {runs})",
                        f"{b['articles'] / b['build_s']:.1f}",
                        f"{b['chunks']:,}",
                        f"{cps:.1f}",
                        f"{b['peak_mb']:.0f}",
                        f"{1000 * retrieval['p50']:.1f}",
                        f"{1000 * retrieval['p95']:.1f}",
                        f"{b['recall@5']:.3f}",
                        ratio,
                    ]
                )
        lines += _table(
            "Index build and retrieval (same model: all-MiniLM-L6-v2, same corpus, same machine)",
            [
                "articles",
                "system",
                "build s (median of runs)",
                "articles/s",
                "chunks",
                "chunks/s",
                "peak MB",
                "retrieval p50 ms",
                "p95 ms",
                "recall@5",
                "chunks/s vs LangChain",
            ],
            rows,
        )
    if results.get("kept"):
        rows = [
            [
                f"{r['size']:,}",
                f"{1000 * r['retrieval']['p50']:.1f}",
                f"{1000 * r['retrieval']['p95']:.1f}",
                f"{r['retrieval']['n']}",
                f"{r['recall@5']:.3f}",
            ]
            for r in results["kept"]
        ]
        lines += _table(
            f"Retrieval on kept {DEFAULT_SYSTEM} indexes (warm)",
            ["articles", "retrieval p50 ms", "p95 ms", "n", "recall@5"],
            rows,
        )
    if results.get("answers"):
        lines += _table(
            "Full answer, warm, seed corpus", ["reader", "p50 s", "p95 s", "n"], _latency_rows(results["answers"])
        )
    for key in ("answers_vs_peers", "newsqa_vs_peers"):
        if not results.get(key):
            continue
        peers = dict(results[key])
        size = peers.pop("size")
        base = peers.get("langchain-stuff") or peers.get("langchain-tutorial")
        rows = [
            [
                system,
                f"{r['em']:.1f}",
                f"{r['f1']:.1f}",
                f"{r['answer']['p50']:.2f}",
                f"{r['answer']['p95']:.2f}",
                f"{r['answer']['n']}",
                f"{base['answer']['p50'] / r['answer']['p50']:.2f}x" if base else "–",
            ]
            for system, r in peers.items()
        ]
        corpus = f"{size:,} SQuAD articles" if key == "answers_vs_peers" else f"NewsQA dev ({size} story files)"
        lines += _table(
            f"Full answers on {corpus}, open setting, same LLM (Qwen2.5-Coder-1.5B Q4_K_M, llama.cpp)",
            ["system", "EM", "F1", "p50 s", "p95 s", "n", "speed vs LangChain"],
            rows,
        )
    if results.get("cold"):
        lines += _table(
            "Cold start to first answer (fresh process, index built)",
            ["how", "p50 s", "p95 s", "n"],
            _latency_rows(results["cold"]),
        )
    if results.get("answers_by_size"):
        by_size = results["answers_by_size"]
        smallest = by_size[min(by_size, key=int)]["p50"]
        rows = [
            [f"{int(size):,}", f"{r['p50']:.2f}", f"{r['p95']:.2f}", f"{r['n']}", f"{r['p50'] - smallest:+.2f}"]
            for size, r in sorted(by_size.items(), key=lambda item: int(item[0]))
        ]
        lines += _table(
            f"Full answer by corpus size, warm ({DEFAULT_SYSTEM} index, default reader, weights repacked)",
            ["articles", "p50 s", "p95 s", "n", "p50 vs smallest"],
            rows,
        )
    if results.get("incremental"):
        rows = [
            [f"{r['articles']:,}", f"{r['added']}", f"{r['add_s']:.2f}", f"{r['removed']}", f"{r['delete_s']:.2f}"]
            for r in results["incremental"]
        ]
        lines += _table("Incremental update", ["articles", "added", "add s", "removed", "delete s"], rows)
    if results.get("faiss"):
        rows = [
            [
                r["index"],
                f"{r['n']:,}",
                f"{r['build_s']:.1f}",
                f"{r['bytes'] / 2**20:.0f}",
                f"{r['bytes_per_vector']:.0f}",
                f"{r['p50_ms']:.2f}",
                f"{r['p95_ms']:.2f}",
                f"{r['recall@10']:.3f}",
            ]
            for r in results["faiss"]
        ]
        lines += _table(
            "FAISS at scale (realistic vectors: mixed real sentence embeddings; real SQuAD questions as queries)",
            ["index", "vectors", "build s", "MB", "bytes/vector", "p50 ms", "p95 ms", "recall@10 vs flat"],
            rows,
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_worker":
        spec = json.loads(Path(argv[1]).read_text())
        result = WORKERS[spec["system"]](Path(spec["corpus"]), Path(argv[2]), spec["questions"])
        Path(argv[3]).write_text(json.dumps(result))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("squad", type=Path, help="dev-v1.1.json")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--systems", nargs="+", default=SYSTEMS, choices=SYSTEMS)
    parser.add_argument("--peers", nargs="*", default=[], choices=["langchain", "haystack"])
    parser.add_argument("--repeats", type=int, default=3, help="builds per system and size; latencies repeat too")
    parser.add_argument("--questions", type=int, default=200, help="retrieval questions per size")
    parser.add_argument("--faiss", type=int, default=0, help="vectors for the FAISS scale table (0: skip)")
    parser.add_argument("--no-llm", action="store_true", help="skip full answers and cold start")
    parser.add_argument("--no-builds", action="store_true", help="skip the index build and retrieval table")
    parser.add_argument(
        "--answers", type=int, default=0, help="SQuAD questions answered end to end at the smallest size, per system"
    )
    parser.add_argument(
        "--scale-answers",
        type=int,
        default=0,
        help="SQuAD questions answered (default reader, warm) over the default system's index of each size",
    )
    parser.add_argument(
        "--kept",
        action="store_true",
        help="build nothing: time retrieval (and --scale-answers) on the indexes an earlier run kept",
    )
    parser.add_argument("--newsqa", type=Path, default=None, help="also answer NewsQA dev (the folder), per system")
    parser.add_argument("--newsqa-answers", type=int, default=100, help="NewsQA questions (seed 7) with --newsqa")
    parser.add_argument(
        "--skip-peer", nargs="*", default=[], choices=["langchain-stuff", "langchain-tutorial"], help="with --newsqa"
    )
    parser.add_argument("--incremental", action="store_true", help="time adding 1%% and deleting, at the largest size")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for CI: the script must keep running")
    parser.add_argument("--work", type=Path, default=None, help="where corpora and indexes go")
    parser.add_argument("--out", type=Path, default=None, help="write the Markdown report here")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw results here")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeats, args.questions, args.faiss = [60], 1, 20, 20_000
        args.systems, args.no_llm, args.incremental = ["citeqa", DEFAULT_SYSTEM], True, True
    from qa.llm import cache_dir

    work = args.work or cache_dir() / "bench"
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"machine": machine(), "date": date.today().isoformat(), "builds": []}
    kept: dict[int, Path] = {}  # size -> the default system's last index of that size
    if args.kept:
        results["kept"] = []
        for size in args.sizes:
            kept[size] = work / f"ix-{DEFAULT_SYSTEM}-{size}"
            if not kept[size].exists():
                parser.error(f"no kept index of {size} articles at {kept[size]}: run once without --kept")
            _, asked = make_corpus(args.squad, size, work)
            questions = random.Random(13).sample(asked, min(args.questions, len(asked)))
            results["kept"].append({"size": size, **retrieval(kept[size], questions)})
    for size in [] if args.no_builds or args.kept else args.sizes:
        corpus, asked = make_corpus(args.squad, size, work)
        questions = random.Random(13).sample(asked, min(args.questions, len(asked)))
        for system in [*args.systems, *args.peers]:
            runs = [run_worker(system, corpus, questions) for _ in range(args.repeats - 1)]
            keep = work / f"ix-{system}-{size}" if system == DEFAULT_SYSTEM else None
            runs.append(run_worker(system, corpus, questions, keep=keep))
            if keep is not None:
                kept[size] = keep
            best = sorted(runs, key=lambda r: r["build_s"])[len(runs) // 2]
            merged = {**best, "size": size, "system": system, "runs": [r["build_s"] for r in runs]}
            merged["peak_mb"] = max(r["peak_mb"] for r in runs)
            results["builds"].append(merged)
            print(
                f"{size} {system}: build {merged['build_s']:.1f}s chunks {merged['chunks']} "
                f"p50 {1000 * merged['retrieval']['p50']:.1f}ms recall@5 {merged['recall@5']:.3f}",
                file=sys.stderr,
            )
    if args.answers:
        size = min(args.sizes)
        corpus, asked = make_corpus(args.squad, size, work)
        chosen = random.Random(7).sample(asked, min(args.answers, len(asked)))
        systems = ["answers-citeqa"] + (["answers-langchain-stuff"] if "langchain" in args.peers else [])
        results["answers_vs_peers"] = {
            "size": size,
            **{s.removeprefix("answers-"): run_worker(s, corpus, chosen) for s in systems},
        }
    if args.newsqa:
        stories, chosen = newsqa_sample(args.newsqa, args.newsqa_answers)
        peers = ["answers-langchain-stuff", "answers-langchain-tutorial"] if "langchain" in args.peers else []
        # The peers first: a peer's failure shows before citeqa's minutes are spent.
        systems = [*(p for p in peers if p.removeprefix("answers-") not in args.skip_peer), "answers-citeqa"]
        results["newsqa_vs_peers"] = {
            "size": len(list(stories.glob("*.txt"))),
            **{s.removeprefix("answers-"): run_worker(s, stories, chosen) for s in systems},
        }
    if args.scale_answers and kept:
        _, asked = make_corpus(args.squad, min(kept), work)
        chosen = random.Random(7).sample(asked, min(args.scale_answers, len(asked)))
        results["answers_by_size"] = answers_by_size(kept, chosen)
    if args.incremental:
        size = max(args.sizes)
        corpus, _ = make_corpus(args.squad, size, work)
        results["incremental"] = [incremental(corpus, size, args.squad, work, kept.get(size))]
    if not args.no_llm:
        from qa import ensure_default_index

        seeds_index = ensure_default_index()
        results["answers"] = {
            "llm (default)": answer_latency(seeds_index, "llm", args.repeats),
            "llm, weights repacked (chat server, eval)": answer_latency(seeds_index, "llm", args.repeats, repack=True),
            "llm-fast (default: repacked)": answer_latency(seeds_index, "llm-fast", args.repeats),
        }
        from index import build_index
        from index.embed import DEFAULT_EMBEDDING_MODEL, make_embedder
        from qa.seeds import SEEDS_DIR

        torch_index = work / "seeds-pytorch"
        build_index([SEEDS_DIR], torch_index, embedder=make_embedder(DEFAULT_EMBEDDING_MODEL))
        results["cold"] = {
            **{f"{k} (default index: MiniLM in int8)": v for k, v in cold_start(seeds_index, args.repeats).items()},
            **{
                f"{k} (default index, LLM weights repacked)": v
                for k, v in cold_start(seeds_index, args.repeats, {"CITEQA_LLM_REPACK": "1"}).items()
            },
            **{f"{k} (index with PyTorch MiniLM)": v for k, v in cold_start(torch_index, args.repeats).items()},
        }
    if args.faiss:
        results["faiss"] = faiss_scale(args.squad, args.faiss)
    command = "python benchmarks/performance.py " + " ".join(argv)
    text = report(results, command)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
