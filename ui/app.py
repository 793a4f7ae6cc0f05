"""The Gradio chat window: presents qa's answers; holds no model code."""

from __future__ import annotations

import os
from collections.abc import Iterator
from html import escape
from typing import Any

import gradio as gr

from qa import CiteqaError, Pipeline, get_pipeline
from ui.render import answer_html

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
EXAMPLES = [
    "Who led the armed group?",
    "Why did Serbia pull troops back?",
    "Who is Germany's ambassador to the US?",
    "What party is Milan Radoičić the deputy leader of?",
]

Message = dict[str, Any]


def reply(pipeline: Pipeline, question: str) -> str:
    """The HTML reply to one question; errors become a message, never a traceback."""
    try:
        result = pipeline.answer(question)
    except CiteqaError as err:
        return f"<p><strong>Sorry:</strong> {escape(str(err))}</p>"
    paragraphs = []
    for citation in result.citations:
        start, end = pipeline.paragraph(citation)
        paragraphs.append(pipeline.article(citation.article_id).text[start:end])
    return answer_html(result, paragraphs)


def build_app(index_dir: str | os.PathLike[str] | None = None, reader: str = "llm") -> gr.Blocks:
    """The chat UI over an index (the default index of ``seeds/`` when None)."""
    pipeline = get_pipeline(index_dir, reader)

    def respond(question: str, history: list[Message]) -> Iterator[tuple[list[Message], str]]:
        history = [*history, {"role": "user", "content": question}]
        yield [*history, {"role": "assistant", "content": "<p><em>Searching the articles…</em></p>"}], ""
        yield [*history, {"role": "assistant", "content": reply(pipeline, question)}], ""

    with gr.Blocks(title="citeqa") as app:
        gr.Markdown("## citeqa\nAsk about the indexed news articles. Every answer quotes its source.")
        chatbot = gr.Chatbot(label="Conversation", height=520, sanitize_html=True, elem_id="citeqa-chat")
        question = gr.Textbox(
            label="Question",
            placeholder="Who led the armed group?",
            elem_id="citeqa-question",
            submit_btn=True,
            max_length=2000,
        )
        gr.Examples(EXAMPLES, inputs=question)
        clear = gr.Button("Clear conversation", size="sm")
        question.submit(respond, [question, chatbot], [chatbot, question], api_name="ask")
        clear.click(lambda: ([], ""), None, [chatbot, question], api_visibility="private")
    return app


def launch(
    index_dir: str | os.PathLike[str] | None = None,
    *,
    reader: str = "llm",
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    prevent_thread_lock: bool = False,
) -> gr.Blocks:
    """Build and serve the chat UI; bound to 127.0.0.1 unless ``host`` says otherwise."""
    app = build_app(index_dir, reader)
    app.queue(default_concurrency_limit=4)
    app.launch(server_name=host, server_port=port, prevent_thread_lock=prevent_thread_lock, show_error=False)
    return app
