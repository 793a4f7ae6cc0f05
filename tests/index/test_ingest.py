from datetime import date
from pathlib import Path

import pytest

from index.errors import IngestError
from index.sources import discover, parse_article, read_article


def test_date_marker_becomes_metadata_and_is_not_citable():
    text = "date 2023-11-14 Serbia pulled troops back. More text follows."
    article = parse_article("a", text)
    assert article.published == date(2023, 11, 14)
    assert article.text == text  # offsets stay offsets into the file's text
    assert text[article.body_start :].startswith("Serbia")
    assert article.title == "Serbia pulled troops back."


def test_seed_article_leading_space_and_title():
    seed = next(Path(__file__).resolve().parents[2].joinpath("seeds").glob("*.txt"))
    article = read_article(discover([seed]).sources[0])
    assert article.published == date(2023, 11, 14)
    assert article.title.startswith("Serbia has recently made the decision")
    assert "date" not in article.title
    assert article.id == seed.stem


def test_markdown_heading_is_title_without_hashes():
    article = parse_article("m", "# Mayor re-elected\n\nSarah Quinn won.")
    assert article.title == "Mayor re-elected"
    assert article.published is None


def test_impossible_date_is_an_error():
    with pytest.raises(IngestError, match="invalid date marker"):
        parse_article("x", "date 2023-02-30 Text.")


def test_empty_article_is_an_error():
    with pytest.raises(IngestError, match="no text"):
        parse_article("x", "date 2023-02-03   \n\n ")


def test_ids_are_relative_paths_without_suffix(corpus):
    ids = sorted(s.article_id for s in discover([corpus]).sources)
    assert ids == ["election", "harbour", "sub/floods"]
    # Stable: discovering again gives the same ids.
    assert ids == sorted(s.article_id for s in discover([corpus]).sources)


def test_binary_and_undecodable_files_name_the_file(tmp_path):
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"abc\x00def")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("café".encode("latin-1"))
    for path, reason in [(binary, "binary"), (latin, "not valid UTF-8")]:
        with pytest.raises(IngestError, match=reason) as info:
            read_article(discover([path]).sources[0])
        assert str(path) in str(info.value)


def test_unsupported_file_and_missing_path(tmp_path):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF")
    found = discover([pdf])
    assert found.sources == ()
    (skipped,) = found.skipped
    assert skipped.path == str(pdf) and "unsupported file type '.pdf'" in skipped.reason and ".html" in skipped.reason
    with pytest.raises(FileNotFoundError, match="nope"):
        discover([tmp_path / "nope"])
