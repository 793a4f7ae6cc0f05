import math
from dataclasses import fields

import pytest

from qa.readers import FAST_SUPPORT, LLM_SUPPORT
from qa.support import SIGNALS, SupportModel, SupportSignals


def signals(**values):
    return SupportSignals(**values)


def test_support_is_the_logistic_of_the_weighted_signals():
    weights = signals(reader=1.0, quote_cosine=2.0, quote_overlap=-1.0, best_cosine=0.5)
    model = SupportModel(weights=weights, bias=-1.0, threshold=0.5)
    observed = signals(reader=0.8, quote_cosine=0.5, quote_overlap=0.2, best_cosine=0.6)
    z = -1.0 + 0.8 + 1.0 - 0.2 + 0.3
    assert model.support(observed) == pytest.approx(1 / (1 + math.exp(-z)))


def test_each_weight_applies_to_the_signal_of_its_own_name():
    # Only quote_overlap is weighted: raising any other signal leaves support where it is.
    weights = signals(reader=0.0, quote_cosine=0.0, quote_overlap=4.0, best_cosine=0.0)
    model = SupportModel(weights=weights, bias=0.0, threshold=0.5)
    base = dict(reader=0.1, quote_cosine=0.1, quote_overlap=0.1, best_cosine=0.1)
    for name in SIGNALS:
        raised = model.support(signals(**{**base, name: 0.9}))
        assert (raised > model.support(signals(**base))) == (name == "quote_overlap")


def test_a_missing_signal_is_a_clear_error():
    with pytest.raises(TypeError, match="best_cosine"):
        SupportSignals(reader=0.9, quote_cosine=0.5, quote_overlap=0.5)  # type: ignore[call-arg]
    assert tuple(f.name for f in fields(SupportSignals)) == SIGNALS


@pytest.mark.parametrize("model", [LLM_SUPPORT, FAST_SUPPORT], ids=["1.5B", "0.5B"])
def test_fitted_models_prefer_a_cited_sentence_that_matches_the_question(model):
    # Near the mean signals of answered SQuAD questions: answerable, and with their own article left out.
    matching = signals(reader=0.9, quote_cosine=0.65, quote_overlap=0.65, best_cosine=0.68)
    unrelated = signals(reader=0.8, quote_cosine=0.4, quote_overlap=0.25, best_cosine=0.45)
    assert model.support(matching) >= model.threshold > model.support(unrelated)
