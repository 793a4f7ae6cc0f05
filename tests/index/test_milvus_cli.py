"""The command line's Milvus options: ``--store`` and ``citeqa migrate`` (no models: a fake embedder)."""

from __future__ import annotations

from citeqa.cli import main
from index.build import build_index
from index.stores.milvus import open_milvus
from tests.conftest import write_corpus
from tests.fakes import HashEmbedder


def test_migrate_copies_and_reports_the_counts(tmp_path, capsys):
    build_index([write_corpus(tmp_path / "corpus")], tmp_path / "index", embedder=HashEmbedder())
    assert main(["migrate", "--from", str(tmp_path / "index"), "--to", f"milvus:{tmp_path / 'a.db'}"]) == 0
    out = capsys.readouterr().out
    assert "3 articles" in out and "nothing embedded" in out
    assert sorted(open_milvus(f"milvus:{tmp_path / 'a.db'}").articles) == ["election", "harbour", "sub/floods"]


def test_store_errors_are_messages_not_tracebacks(tmp_path, capsys):
    assert main(["ask", "Who?", "--store", f"milvus:{tmp_path}/missing/a.db"]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert main(["ask", "Who?", "--store", f"milvus:{tmp_path}/empty.db"]) == 1
    assert "no citeqa store at" in capsys.readouterr().err
    assert main(["ask", "Who?", "--store", "./archive.db"]) == 2
    assert "store must be 'milvus:PATH'" in capsys.readouterr().err
    assert main(["ask", "Who?", "--store", "milvus:a.db", "--index-dir", str(tmp_path)]) == 2
    assert "not both" in capsys.readouterr().err
    assert main(["migrate", "--from", str(tmp_path / "nothing"), "--to", f"milvus:{tmp_path}/b.db"]) == 1
    assert "no index at" in capsys.readouterr().err
