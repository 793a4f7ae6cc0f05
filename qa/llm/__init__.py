"""LLMs: packaged GGUF models (``packaging``), loading them (``loading``), greedy decoding
(``generate``), the saved state of shared prompt prefixes (``kv_state``), and an OpenAI-compatible
server in their place (``server``)."""

from index.models import cache_dir
from qa.llm.generate import ChatLLM, ChatModel, Generation
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
from qa.llm.server import ServerChatModel

__all__ = [
    "DEFAULT_LLM",
    "FAST_LLM",
    "PACKAGED_GGUF",
    "QWEN_0_5B",
    "QWEN_1_5B",
    "REPACK_ENV",
    "ChatLLM",
    "ChatModel",
    "Generation",
    "PackagedGGUF",
    "ServerChatModel",
    "assemble",
    "cache_dir",
    "load_llama",
    "repacks",
    "resolve_gguf",
]
