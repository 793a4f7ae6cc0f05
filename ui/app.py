"""The Gradio chat window: presents qa's answers; holds no model code.

Layout: the conversation on the left (answers stream in, citations are links); on the right an
article panel (a clicked citation opens its article there, scrolled to the highlighted quote) and
the library (the indexed articles, filters, uploads). FAQ suggestions sit under the question box.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from html import escape
from typing import Any

import gradio as gr

from qa import (
    DEFAULT_READER,
    MAX_QUESTION_CHARS,
    SUPPORTED_SUFFIXES,
    Answer,
    CiteqaError,
    faq,
    get_pipeline,
    record_feedback,
)
from ui.handlers import library_rows, make_filter, precompute_faqs, said, stream_answer
from ui.render import article_html, parse_cite_link
from ui.shapes import SHAPES_CSS

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
EXAMPLES = [  # one of each shape an answer takes: a span, a verdict, a reason, a summary
    "Who led the armed group?",
    "Was anyone killed?",
    "Why did Serbia pull troops back?",
    "What happened?",
]


Message = dict[str, Any]

CSS = """
.citeqa-hidden { display: none !important; }
#citeqa-article .citeqa-article-body { max-height: 420px; overflow-y: auto; white-space: pre-wrap;
  line-height: 1.5; padding-right: 6px; }
#citeqa-article mark.citeqa-cited { background: #ffe58a; padding: 1px 0; }
.citeqa-citation blockquote { margin: 4px 0 8px 0; padding-left: 8px; border-left: 3px solid #f0c000; }
.citeqa-rewritten { color: #666; margin: 0; }
"""

# A click on a citation link puts its target in a hidden box and presses a hidden button; Python then
# renders the article, and the page scrolls the panel to the highlight.
HEAD = """
<script>
document.addEventListener('click', function (event) {
  const link = event.target.closest && event.target.closest('a[href^="#cite:"]');
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const box = document.querySelector('#citeqa-open-target textarea, #citeqa-open-target input');
  const button = document.querySelector('#citeqa-open-button');
  if (!box || !button) return;
  box.value = link.getAttribute('href');
  box.dispatchEvent(new Event('input', { bubbles: true }));
  setTimeout(function () { button.click(); }, 60);
}, true);
</script>
"""
SCROLL_TO_HIGHLIGHT = """() => {
  const go = (tries) => {
    const mark = document.getElementById('citeqa-target');
    if (mark) { mark.scrollIntoView({ block: 'center' }); return; }
    if (tries > 0) setTimeout(() => go(tries - 1), 100);
  };
  go(20);
}"""


def build_app(
    index_dir: str | os.PathLike[str] | None = None,
    reader: str = DEFAULT_READER,
    *,
    repack: bool | None = None,
    llm: str | None = None,
    llm_model: str | None = None,
    llm_api: str = "auto",
    store: Any = None,
) -> gr.Blocks:
    """The chat UI over an index (the default index of ``seeds/`` when None) or a Milvus ``store``;
    ``llm``, ``llm_model`` and ``llm_api`` name an OpenAI-compatible LLM server (see ``qa.get_pipeline``)."""
    pipeline = get_pipeline(
        index_dir, reader, repack=repack, llm=llm, llm_model=llm_model, llm_api=llm_api, store=store
    )

    def article_choices() -> list[tuple[str, str]]:
        return [(f"{a.title} ({a.id})", a.id) for a in pipeline.articles()]

    def respond(
        question: str,
        messages: list[Message],
        turns: list[tuple[str, str | None]],
        answers: dict[str, Any],
        chosen: list[str] | None,
        since: str,
        until: str,
    ) -> Iterator[tuple[Any, ...]]:
        messages = [*messages, {"role": "user", "content": question}]
        try:
            where = make_filter(chosen, since, until)
        except ValueError as err:
            reply = f"<p><strong>Sorry:</strong> {escape(str(err))}</p>"
            yield [*messages, {"role": "assistant", "content": reply}], "", turns, answers, gr.skip()
            return
        for html, result in stream_answer(pipeline, question, turns, where):
            shown = [*messages, {"role": "assistant", "content": html}]
            if result is None:
                yield shown, "", turns, answers, gr.skip()
                continue
            answers = {**answers, str(len(shown) - 1): result.to_dict()}
            turns = [*turns, (question, said(result))]
            yield shown, "", turns, answers, result.to_markdown()

    def open_citation(link: str) -> tuple[str, Any]:
        try:
            article_id, start, end, answer_start, answer_end = parse_cite_link(link)
            article = pipeline.article(article_id)
            published = article.published.isoformat() if article.published else "undated"
            html = article_html(
                article.title,
                published,
                article.text,
                article.body_start,
                start,
                end,
                answer_start,
                answer_end,
                url=article.url,
                site=article.site,
            )
        except (KeyError, ValueError):
            html = "<p>That article is no longer in the index.</p>"
        return html, gr.Tabs(selected="article")

    def on_like(answers: dict[str, Any], data: gr.LikeData) -> None:
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        stored = answers.get(str(index))
        if stored is not None:
            record_feedback(Answer.from_dict(stored), bool(data.liked))
            gr.Info("Thanks, your feedback was saved.")

    def suggestions(article_id: str | None) -> Any:
        if not article_id:
            return gr.Dataset(samples=[])
        try:
            items = faq(pipeline, article_id)
        except CiteqaError:
            return gr.Dataset(samples=[])
        return gr.Dataset(samples=[[item.question] for item in items])

    def upload(files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        if not files:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), None
        progress(0, desc="checking files")
        report = pipeline.add_files(
            files,
            progress=lambda done, total, stage: progress(
                (done, total), desc=stage, unit="bytes" if stage == "reading" else "sentences"
            ),
        )
        lines = []
        if report.added:
            lines.append(f"Added and indexed: {', '.join(f'`{a}`' for a in report.added)}. Ask away.")
        lines += [f"Not added: **{escape(os.path.basename(e.path))}** {escape(e.reason)}" for e in report.errors]
        choices = article_choices()
        return (
            "\n\n".join(lines),
            library_rows(pipeline),
            gr.Dropdown(choices=choices),
            gr.Dropdown(choices=choices),
            None,
        )

    with gr.Blocks(title="citeqa") as app:
        turns = gr.State([])
        answers = gr.State({})
        gr.Markdown("## citeqa\nAsk about the indexed news articles. Every answer quotes its source.")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=340):
                chatbot = gr.Chatbot(
                    label="Conversation",
                    height=520,
                    sanitize_html=True,
                    latex_delimiters=[],  # "$$…$$" in an article is article text, not math to typeset
                    elem_id="citeqa-chat",
                    buttons=["copy", "copy_all"],
                    feedback_options=("Like", "Dislike"),
                )
                question = gr.Textbox(
                    label="Question",
                    placeholder="Who led the armed group?  (Enter to ask)",
                    elem_id="citeqa-question",
                    submit_btn=True,
                    max_length=MAX_QUESTION_CHARS,
                )
                with gr.Row():
                    faq_article = gr.Dropdown(
                        article_choices(), label="Suggested questions (FAQ) for", scale=2, elem_id="citeqa-faq-article"
                    )
                faq_box = gr.Dataset(
                    components=["textbox"],
                    samples=[],
                    label="Click a question to ask it",
                    elem_id="citeqa-faq",
                )
                gr.Examples(EXAMPLES, inputs=question, label="Examples")
                with gr.Row():
                    clear = gr.Button("Clear conversation", size="sm", elem_id="citeqa-clear")
                with gr.Accordion("Last answer as Markdown (copy button at the top right)", open=False):
                    markdown = gr.Code(language="markdown", elem_id="citeqa-markdown", interactive=False)
            with gr.Column(scale=2, min_width=320), gr.Tabs(selected="article") as tabs:
                with gr.Tab("Article", id="article"):
                    article_panel = gr.HTML(
                        "<p>Click a citation to read the whole article here, scrolled to the quote.</p>",
                        elem_id="citeqa-article",
                    )
                with gr.Tab("Library", id="library"):
                    library = gr.Dataframe(
                        library_rows(pipeline),
                        headers=["Title", "Date", "Characters", "Id"],
                        interactive=False,
                        wrap=True,
                        elem_id="citeqa-library",
                    )
                    gr.Markdown("**Answer only from** (leave empty for all articles):")
                    chosen = gr.Dropdown(
                        article_choices(), multiselect=True, label="Articles", elem_id="citeqa-filter-articles"
                    )
                    with gr.Row():
                        since = gr.Textbox(label="From (YYYY-MM-DD)", elem_id="citeqa-since", min_width=120)
                        until = gr.Textbox(label="To (YYYY-MM-DD)", elem_id="citeqa-until", min_width=120)
                    files = gr.File(
                        label="Add articles (text, Markdown, saved pages, feeds, JSONL/CSV dumps)",
                        file_count="multiple",
                        file_types=list(SUPPORTED_SUFFIXES),
                        elem_id="citeqa-upload",
                    )
                    upload_status = gr.Markdown(elem_id="citeqa-upload-status")
        open_target = gr.Textbox(elem_id="citeqa-open-target", elem_classes=["citeqa-hidden"], show_label=False)
        open_button = gr.Button("open", elem_id="citeqa-open-button", elem_classes=["citeqa-hidden"])

        inputs = [question, chatbot, turns, answers, chosen, since, until]
        outputs = [chatbot, question, turns, answers, markdown]
        question.submit(respond, inputs, outputs, api_name="ask")
        faq_box.click(lambda sample: sample[0], faq_box, question, api_visibility="private").then(
            respond, inputs, outputs, api_visibility="private"
        )
        clear.click(lambda: ([], "", [], {}, ""), None, outputs, api_visibility="private")
        open_button.click(open_citation, open_target, [article_panel, tabs], api_visibility="private").then(
            None, None, None, js=SCROLL_TO_HIGHLIGHT
        )
        chatbot.like(on_like, answers, None)
        faq_article.change(suggestions, faq_article, faq_box, api_visibility="private")
        files.upload(upload, files, [upload_status, library, chosen, faq_article, files], api_visibility="private")

        def on_load() -> tuple[Any, ...]:
            # Articles may have been uploaded since the app was built: list them afresh per page.
            choices = article_choices()
            first = choices[0][1] if choices else None
            return (
                gr.Dropdown(choices=choices, value=first),
                suggestions(first),
                gr.Dropdown(choices=choices),
                library_rows(pipeline),
            )

        app.load(on_load, None, [faq_article, faq_box, chosen, library], api_visibility="private")
    return app


def launch(
    index_dir: str | os.PathLike[str] | None = None,
    *,
    reader: str = DEFAULT_READER,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    prevent_thread_lock: bool = False,
    llm: str | None = None,
    llm_model: str | None = None,
    llm_api: str = "auto",
    auth: list[tuple[str, str]] | None = None,
    store: Any = None,
) -> gr.Blocks:
    """Build and serve the chat UI; bound to 127.0.0.1 unless ``host`` says otherwise. ``llm``,
    ``llm_model`` and ``llm_api`` name an OpenAI-compatible LLM server to use (see ``qa.get_pipeline``);
    ``auth`` lists the (user, password) pairs that may log in (None: no login)."""
    # The server loads its model once, before anyone asks, and answers many questions: repack it.
    options = {"repack": True, "llm": llm, "llm_model": llm_model, "llm_api": llm_api, "store": store}
    app = build_app(index_dir, reader, **options)
    precompute_faqs(get_pipeline(index_dir, reader, **options))
    app.queue(default_concurrency_limit=4)
    app.launch(
        server_name=host,
        server_port=port,
        prevent_thread_lock=prevent_thread_lock,
        show_error=False,
        css=CSS + SHAPES_CSS,
        head=HEAD,
        max_file_size="5mb",
        auth=auth or None,  # with a login, every route but the login page needs its session cookie
    )
    return app
