import math

import pytest

from qa.readers import FAST_SUPPORT, LLM_SUPPORT
from qa.support import SupportModel


def test_support_is_the_logistic_of_the_weighted_signals():
    model = SupportModel(weights=(1.0, 2.0, -1.0, 0.5), bias=-1.0, threshold=0.5)
    signals = {"reader": 0.8, "quote_cosine": 0.5, "quote_overlap": 0.2, "best_cosine": 0.6}
    z = -1.0 + 0.8 + 1.0 - 0.2 + 0.3
    assert model.support(signals) == pytest.approx(1 / (1 + math.exp(-z)))


def test_missing_signal_is_a_clear_error():
    with pytest.raises(ValueError, match="missing \\['best_cosine'\\]"):
        LLM_SUPPORT.support({"reader": 0.9, "quote_cosine": 0.5, "quote_overlap": 0.5})


@pytest.mark.parametrize("model", [LLM_SUPPORT, FAST_SUPPORT], ids=["1.5B", "0.5B"])
def test_fitted_models_prefer_a_cited_sentence_that_matches_the_question(model):
    # Near the mean signals of answered SQuAD questions: answerable, and with their own article left out.
    matching = {"reader": 0.9, "quote_cosine": 0.65, "quote_overlap": 0.65, "best_cosine": 0.68}
    unrelated = {"reader": 0.8, "quote_cosine": 0.4, "quote_overlap": 0.25, "best_cosine": 0.45}
    assert model.support(matching) >= model.threshold > model.support(unrelated)
