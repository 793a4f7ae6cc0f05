from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes import HashEmbedder

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"

ARTICLES = {
    "harbour.txt": (
        "date 2024-03-02 Harbour bridge reopens after repairs\n\n"
        "The harbour bridge in Port Ellis reopened on Monday after eight months of repairs. "
        "Engineer Maria Olsen led the repair crew. The work cost 12 million euros.\n\n"
        "Traffic was light on the first morning. Dr. Olsen said the deck will last fifty years."
    ),
    "election.md": (
        "# Mayor re-elected in Dunmore\n\n"
        "Sarah Quinn won a second term as mayor of Dunmore on Sunday. "
        "She received 54 percent of the vote. Turnout was the highest since 1998."
    ),
    "sub/floods.txt": (
        "date 2024-05-20 Heavy rain flooded the lower town of Brackwater overnight. "
        "About 300 residents were evacuated to the school gym. The river peaked at 4.2 metres."
    ),
}


def write_corpus(root: Path, articles: dict[str, str] = ARTICLES) -> Path:
    for name, text in articles.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder()
