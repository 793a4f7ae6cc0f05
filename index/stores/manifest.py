"""What built an index, recorded with it and checked when it is opened."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

FORMAT_VERSION = 3  # 2: sentence vectors stored; chunk vectors are their means. 3: article metadata, stories
READABLE_VERSIONS = (2, 3)  # a version-2 index loads with the new fields empty; its next update writes 3


@dataclass(frozen=True, slots=True)
class Manifest:
    """What built an index; compared against the caller's settings on load."""

    format_version: int
    embedding_model: str
    dimension: int
    normalized: bool
    chunk_chars: int
    overlap_sentences: int
    articles: int
    chunks: int
    created: str
    file_sizes: Mapping[str, int] = field(default_factory=dict)
    checksums: Mapping[str, str] = field(default_factory=dict)  # "sha256:<hex>" per data file ({} before format 3.1)
    minhash: str = ""  # how the stored near-duplicate signatures were made ("" for none: format 2)

    def to_json(self) -> str:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["file_sizes"] = dict(self.file_sizes)
        data["checksums"] = dict(self.checksums)
        return json.dumps(data, indent=2, sort_keys=True)
