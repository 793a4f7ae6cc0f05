"""What checking a generation's checksums adds to loading it, on a copy of an existing index.

.venv/bin/python benchmarks/checksum_cost.py ~/.cache/citeqa/squad/<key>/index
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.stores import current_generation, load_index
from index.stores.integrity import checksums


def main(source: str, runs: int = 3) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        ix = Path(scratch) / "ix"
        shutil.copytree(source, ix)
        folder = ix / current_generation(ix)
        manifest = json.loads((folder / "manifest.json").read_text())
        if not manifest.get("checksums"):  # an index from before checksums: add them to the copy
            manifest["checksums"] = checksums(folder, manifest["file_sizes"])
            (folder / "manifest.json").write_text(json.dumps(manifest))
        size = sum(manifest["file_sizes"].values()) / 2**20
        load_index(ix, verify=False)  # warm the page cache
        for _ in range(runs):
            for verify in (False, True):
                start = time.perf_counter()
                loaded = load_index(ix, verify=verify)
                print(f"verify={verify!s:5} {1000 * (time.perf_counter() - start):6.0f} ms", end="  ")
            start = time.perf_counter()
            checksums(folder, manifest["file_sizes"])
            print(f"hashing alone {1000 * (time.perf_counter() - start):4.0f} ms")
        print(f"{loaded.manifest.articles} articles, {len(loaded.chunks)} chunks, {size:.1f} MiB of data files")


if __name__ == "__main__":
    main(sys.argv[1])
