import math

import numpy as np

from index.bm25 import BM25, TOKENIZER, tokenize


def test_tokenize_drops_stopwords_and_stems():
    assert tokenize("The troops were pulled back from the borders") == ["troop", "pull", "back", "border"]
    # A question's word and the article's word meet at one stem.
    assert tokenize("Who was elected?") == tokenize("the election") == ["elect"]
    assert tokenize("flooding") == tokenize("floods")


def test_inflected_question_words_score_their_text():
    bm25 = BM25.build(["Heavy rain flooded the lower town", "The school gym was opened"])
    assert bm25.scores("Which town floods?").argmax() == 0
    assert bm25.scores("Who opens the gym?").argmax() == 1


def test_files_from_before_stemming_say_so(tmp_path):
    bm25 = BM25.build(["river flood"])
    bm25.save(tmp_path)
    assert BM25.load(tmp_path).tokenizer == TOKENIZER
    # What an earlier citeqa wrote: the same arrays without the tokenizer's name.
    with np.load(tmp_path / "bm25.npz") as arrays:
        old = {name: arrays[name] for name in arrays.files if name != "tokenizer"}
    np.savez(tmp_path / "bm25.npz", **old)
    assert BM25.load(tmp_path).tokenizer == "plural-s"


def test_scores_match_the_bm25_formula(tmp_path):
    docs = ["river flood river", "school gym", "flood warning issued"]
    bm25 = BM25.build(docs, k1=1.5, b=0.75)
    lengths = [3, 2, 3]
    avg = sum(lengths) / 3

    def term(tf, df, length):
        idf = math.log(1 + (3 - df + 0.5) / (df + 0.5))
        return idf * tf * 2.5 / (tf + 1.5 * (1 - 0.75 + 0.75 * length / avg))

    expected = [term(2, 1, 3) + term(1, 2, 3), 0.0, term(1, 2, 3)]
    np.testing.assert_allclose(bm25.scores("river flood"), expected, rtol=1e-5)
    bm25.save(tmp_path)
    np.testing.assert_allclose(BM25.load(tmp_path).scores("river flood"), expected, rtol=1e-5)
    assert not bm25.scores("unknown words").any()


def test_overlap_is_the_idf_weighted_share_of_question_terms():
    bm25 = BM25.build(["river flood river", "school gym", "flood warning issued"])
    idf_river = math.log(1 + (3 - 1 + 0.5) / (1 + 0.5))
    idf_flood = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))
    got = bm25.overlap(
        "Where did the river flood?", ["The river rose.", "A flood came.", "Nothing here.", "river floods"]
    )
    expected = [idf_river, idf_flood, 0.0, idf_river + idf_flood]
    np.testing.assert_allclose(got, np.asarray(expected) / (idf_river + idf_flood), rtol=1e-5)
    assert not bm25.overlap("unknown words", ["river"]).any()
    # A word the corpus never uses is the rarest of all: missing it costs more than missing "river".
    (share,) = bm25.overlap("river regatta", ["river"])
    assert 0 < share < 0.5
