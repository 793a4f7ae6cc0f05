"""Local LLMs: packaged GGUF models (``packaging``), loading them (``loading``), greedy decoding
(``generate``) and the saved state of shared prompt prefixes (``kv_state``)."""

from index.models import cache_dir
from qa.llm.generate import ChatModel, Generation
from qa.llm.loading import REPACK_ENV, load_llama, repacks
from qa.llm.packaging import (
    DEFAULT_LLM,
    FAST_LLM,
    PACKAGED_GGUF,
    QWEN_0_5B,
    QWEN_1_5B,
    PackagedGGUF,
    assemble,
    resolve_gguf,
)

__all__ = [
    "DEFAULT_LLM",
    "FAST_LLM",
    "PACKAGED_GGUF",
    "QWEN_0_5B",
    "QWEN_1_5B",
    "REPACK_ENV",
    "ChatModel",
    "Generation",
    "PackagedGGUF",
    "assemble",
    "cache_dir",
    "load_llama",
    "repacks",
    "resolve_gguf",
]
