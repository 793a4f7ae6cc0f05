from index import build_index, load_index
from index.library import MAX_UPLOAD_BYTES, add_files, uploads_dir


def test_upload_is_indexed_and_bad_files_are_refused_with_reasons(corpus, tmp_path, embedder):
    ix = tmp_path / "ix"
    build_index([corpus], ix, embedder=embedder)
    before = load_index(ix)
    up = tmp_path / "upload"
    up.mkdir()
    good = up / "new story.md"
    good.write_text("# Ferry service resumes\n\nThe ferry to Inish Mor sails again from Friday.", encoding="utf-8")
    (up / "photo.txt").write_bytes(b"\x89PNG\x00\x00binary")
    (up / "empty.txt").write_text("   \n", encoding="utf-8")
    (up / "latin1.txt").write_bytes("caf\xe9 cr\xe8me".encode("latin-1"))
    (up / "big.txt").write_text("word " * (MAX_UPLOAD_BYTES // 5 + 1), encoding="utf-8")
    (up / "harbour.txt").write_text("A different story that would take the harbour id.", encoding="utf-8")
    (up / "sheet.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    names = ["new story.md", "photo.txt", "empty.txt", "latin1.txt", "big.txt", "harbour.txt", "sheet.csv"]

    report = add_files([up / n for n in names], ix, embedder=embedder)

    assert report.added == ("new-story",)
    reasons = {e.path: e.reason for e in report.errors}
    assert set(reasons) == set(names) - {"new story.md"}
    assert "binary" in reasons["photo.txt"]
    assert "no text" in reasons["empty.txt"]
    assert "UTF-8" in reasons["latin1.txt"]
    assert "upload limit" in reasons["big.txt"]
    assert "already indexed" in reasons["harbour.txt"]
    assert "line 2" in reasons["sheet.csv"] and "no text" in reasons["sheet.csv"]  # a dump without a text field
    after = load_index(ix)
    assert set(after.articles) == {*before.articles, "new-story"}
    assert after.articles["harbour"] == before.articles["harbour"]
    assert (uploads_dir(ix) / "new-story.md").is_file()


def test_only_bad_files_change_nothing(corpus, tmp_path, embedder):
    ix = tmp_path / "ix"
    build_index([corpus], ix, embedder=embedder)
    generation = load_index(ix).generation
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01")
    report = add_files([bad], ix, embedder=embedder)
    assert report.added == () and report.build is None and len(report.errors) == 1
    assert load_index(ix).generation == generation


def test_uploads_survive_an_update_of_the_original_folder(corpus, tmp_path, embedder):
    ix = tmp_path / "ix"
    build_index([corpus], ix, embedder=embedder)
    story = tmp_path / "ferry.txt"
    story.write_text("The ferry to Inish Mor sails again from Friday.", encoding="utf-8")
    add_files([story], ix, embedder=embedder)
    (corpus / "election.md").unlink()
    build_index([corpus], ix, embedder=embedder)
    assert set(load_index(ix).articles) == {"harbour", "sub/floods", "ferry"}


def test_uploads_take_pages_feeds_and_dumps(corpus, tmp_path, embedder):
    from tests.index import newsfixtures as nf

    ix = tmp_path / "ix"
    build_index([corpus], ix, embedder=embedder)
    up = tmp_path / "up"
    page = nf.write(up / "bridge page.html", nf.PAGE)
    feed = nf.write(up / "courier.rss", nf.RSS)
    dump = nf.write_jsonl(up / "dump.jsonl", [*nf.good_jsonl_lines(), "{broken"])
    links = nf.write(up / "links.htm", nf.LINK_PAGE)
    report = add_files([page, feed, dump, links], ix, embedder=embedder)
    assert report.added == ("bridge-page", "courier", "dump")
    reasons = {e.path: e.reason for e in report.errors}
    assert "no main text" in reasons["links.htm"]
    assert any("line 3" in str(e) and "not valid JSON" in str(e) for e in report.errors)
    articles = load_index(ix).articles
    assert articles["bridge-page"].site == "Port Ellis Gazette"
    assert {"courier/mayor-re-elected", "dump/r1", "dump/r2", "harbour"} <= set(articles)
