"""Nothing on the load path unpickles: an index, a model cache or a state file is data, never code.

Reads the source of every package for the ways Python runs code from a file.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("index", "qa", "evals", "ui", "citeqa")
UNPICKLING_MODULES = {"pickle", "cPickle", "_pickle", "dill", "joblib", "cloudpickle", "shelve", "marshal"}


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def _name(func: ast.expr) -> str:
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    return ".".join(reversed(parts))


def _keyword(call: ast.Call, name: str) -> object:
    for kw in call.keywords:
        if kw.arg == name and isinstance(kw.value, ast.Constant):
            return kw.value.value
    return None


def problems_in(source: str, where: str) -> list[str]:
    """Each import of an unpickling module, torch.load without weights_only=True, and allow_pickle=True."""
    found = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"{where}:{node.lineno}: imports {n}" for n in names if n.split(".")[0] in UNPICKLING_MODULES]
    for call in _calls(tree):
        name = _name(call.func)
        if name.endswith("torch.load") and _keyword(call, "weights_only") is not True:
            found.append(f"{where}:{call.lineno}: torch.load without weights_only=True")
        if _keyword(call, "allow_pickle") is True:
            found.append(f"{where}:{call.lineno}: {name}(allow_pickle=True)")
        if name.split(".")[-1] in {"read_pickle", "from_pickle"}:
            found.append(f"{where}:{call.lineno}: {name}")
    return found


def test_the_checker_catches_each_way_in():
    bad = (
        "import pickle\nfrom joblib import load\nimport torch\n"
        "torch.load('m.pt')\ntorch.load('m.pt', weights_only=False)\n"
        "import numpy as np\nnp.load('x.npy', allow_pickle=True)\nimport pandas as pd\npd.read_pickle('x')\n"
    )
    lines = [problem.split(": ", 1)[0] for problem in problems_in(bad, "bad.py")]
    assert lines == [f"bad.py:{n}" for n in (1, 2, 4, 5, 7, 9)]
    good = "import numpy as np\nnp.load('x', allow_pickle=False)\nimport torch\ntorch.load('m', weights_only=True)\n"
    assert problems_in(good, "good.py") == []


def test_no_package_unpickles():
    found = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            found += problems_in(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    assert found == []
