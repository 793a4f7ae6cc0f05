"""Warm latency of each answer kind on the seed article, the default reader, questions asked twice
(the first warms the model, entity recogniser and caches; the second is timed).

    python benchmarks/kinds_latency.py
"""

from __future__ import annotations

import json
import os
import statistics
import time

from qa import Pipeline, ensure_default_index

QUESTIONS = {
    "factoid": ["Who led the armed group?", "Who is Germany's ambassador to the US?"],
    "yes/no": ["Was anyone killed?", "Has Radoičić taken responsibility for the shootout?"],
    "explanation": ["Why did Serbia pull back?", "What caused the tensions?"],
    "summary": ["What happened?", "What is the latest news about Kosovo?"],
    "list": ["Which countries were involved?", "Who was involved?"],
}


def main() -> None:
    pipeline = Pipeline(ensure_default_index(), repack=True)
    for questions in QUESTIONS.values():
        for q in questions:
            pipeline.answer(q)
    out = {}
    for kind, questions in QUESTIONS.items():
        seconds = []
        for q in questions:
            began = time.perf_counter()
            result = pipeline.answer(q)
            seconds.append(time.perf_counter() - began)
            assert result.kind == kind, (q, result.kind)
        out[kind] = round(statistics.median(seconds), 3)
    print(json.dumps({"seconds_median": out, "load_average": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
