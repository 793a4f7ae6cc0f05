"""The cost of the reader's own check: its calls against the reader's, on seed questions, one process.

python benchmarks/answer_check_latency.py
"""

import statistics
import time

from qa import LlamaReader, Pipeline
from qa.llm import DEFAULT_LLM, ChatModel
from qa.readers import LLM_SUPPORT
from qa.readers.check import CHECK_CONTEXT
from qa.seeds import ensure_default_index

ix = ensure_default_index()


class Timed:
    def __init__(s, inner):
        s.inner, s.t = inner, []

    def chat(s, *a, **k):
        b = time.perf_counter()
        g = s.inner.chat(*a, **k)
        s.t.append(time.perf_counter() - b)
        return g

    def warm(s, *a):
        s.inner.warm(*a)

    @property
    def model(s):
        return s.inner.model


main = Timed(ChatModel(DEFAULT_LLM, repack=True))
chk = Timed(ChatModel(DEFAULT_LLM, n_ctx=CHECK_CONTEXT, repack=True))
on = Pipeline(ix, reader=LlamaReader(support=LLM_SUPPORT, chat_model=main, check_below=0.4, check_model=chk))
qs = [
    "Who led the armed group?",
    "Who took responsibility for the shootout?",
    "Who is Germany's ambassador to the US?",
    "How many Serb gunmen were killed?",
    "Who did Blinken speak with?",
    "Which force was reinforced with British troops?",
    "What did Vučić call the allegations?",
    "Who presented a document about the grenade launcher?",
]
on.answer(qs[0])
main.t.clear()
chk.t.clear()
for q in qs:
    on.answer(q)
reader, checking = statistics.median(main.t), statistics.median(chk.t)
print(
    f"reader calls p50 {reader:.2f} s, check calls p50 {checking:.2f} s (n={len(chk.t)}),",
    f"check/reader {checking / reader:.2f}",
)
