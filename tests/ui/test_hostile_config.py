"""The served chat does not typeset article text: "$$…$$" in a quote is shown, not rendered as KaTeX."""

import json
import urllib.request

import pytest

pytestmark = [pytest.mark.models, pytest.mark.ui]


def test_the_chatbot_has_no_latex_delimiters(server):
    with urllib.request.urlopen(server.url + "config", timeout=30) as response:
        config = json.load(response)
    chatbots = [c for c in config["components"] if c.get("type") == "chatbot"]
    assert chatbots, [c.get("type") for c in config["components"]]
    assert all(c["props"].get("latex_delimiters") == [] for c in chatbots)
