"""Start the real chat server and ask through gradio_client."""

import pytest

pytestmark = [pytest.mark.models, pytest.mark.ui]


def test_chat_answers_with_highlighted_citation(server):
    from gradio_client import Client

    client = Client(server.url, verbose=False)
    history, cleared, markdown = client.predict("Who led the armed group?", [], [], "", "", api_name="/ask")
    assert cleared == ""
    reply = history[-1]["content"]
    reply = reply if isinstance(reply, str) else str(reply)
    assert "<mark>Milan Radoičić</mark>" in reply
    assert "2023-11-14" in reply and "Serbia has recently made the decision" in reply
    assert "**A:** Milan Radoičić[^1]" in markdown


def test_chat_says_when_the_articles_do_not_answer(server):
    from gradio_client import Client

    history, _, _ = Client(server.url, verbose=False).predict(
        "What is the capital of Australia?", [], [], "", "", api_name="/ask"
    )
    reply = str(history[-1]["content"])
    assert "do not say" in reply and "<mark>" not in reply


def test_chat_turns_bad_input_into_a_message(server):
    from gradio_client import Client

    history, _, _ = Client(server.url, verbose=False).predict("   ", [], [], "", "", api_name="/ask")
    assert "question is empty" in str(history[-1]["content"])


def test_two_clients_at_once_both_get_answers(server):
    from concurrent.futures import ThreadPoolExecutor

    from gradio_client import Client

    questions = ["Who is Germany's ambassador to the US?", "Who led the armed group?"]

    def ask(q):
        return str(Client(server.url, verbose=False).predict(q, [], [], "", "", api_name="/ask")[0][-1]["content"])

    with ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(ask, questions))
    assert "<mark>Andreas Michaelis</mark>" in replies[0]
    assert "<mark>Milan Radoičić</mark>" in replies[1]


def test_bad_date_filter_is_explained(server):
    from gradio_client import Client

    history, _, _ = Client(server.url, verbose=False).predict(
        "Who led the armed group?", [], [], "14/11/2023", "", api_name="/ask"
    )
    assert "must look like 2023-11-14" in str(history[-1]["content"])
