"""The shape of the code, read from its source: rooms, the way imports point, and who sets what.

Rooms and what each may import of the project (``ui -> qa -> index``; evaluation and the command
line above the library):

- ``index``: only ``index``.
- ``qa``: ``index`` and ``qa``.
- ``evals``: ``index``, ``qa`` and ``evals``.
- ``ui``: only the public face, ``qa`` itself (no ``qa.<module>``, no ``index``).
- ``citeqa``: the public face ``qa``, ``evals`` and ``ui``.

A module's settings and state (its non-callable globals) are assigned only by that module: no
``module.NAME = value`` anywhere else, and tests do not monkeypatch them either. Tests may still
swap a function for a spy or a fault (that replaces behaviour, not a setting).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("index", "qa", "evals", "ui", "citeqa")
ALLOWED = {
    "index": lambda m: m.split(".")[0] == "index",
    "qa": lambda m: m.split(".")[0] in ("index", "qa"),
    "evals": lambda m: m.split(".")[0] in ("index", "qa", "evals"),
    "ui": lambda m: m == "qa" or m.split(".")[0] == "ui",
    "citeqa": lambda m: m == "qa" or m.split(".")[0] in ("evals", "ui", "citeqa"),
}
MAX_LIBRARY_LINES = 330  # "about 300": a module past this does more than one job


def project_imports(source: str) -> list[str]:
    """Every project module a source imports, wherever the import stands (lazy ones too)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return [m for m in found if m.split(".")[0] in PROJECT]


def layer_violations(room: str, source: str) -> list[str]:
    return [m for m in project_imports(source) if not ALLOWED[room](m)]


def sources(*rooms: str) -> list[Path]:
    return sorted(p for room in rooms for p in (ROOT / room).rglob("*.py"))


def test_the_layer_check_catches_a_deep_or_backward_import():
    assert layer_violations("ui", "from qa.faq import faq\nimport qa") == ["qa.faq"]
    assert layer_violations("index", "def f():\n    from qa import answer\n") == ["qa"]
    assert layer_violations("citeqa", "from index.embed import make_embedder") == ["index.embed"]
    assert layer_violations("qa", "from index.stores import Store\nfrom qa.types import Answer") == []


@pytest.mark.parametrize("room", list(ALLOWED))
def test_every_room_imports_only_what_its_layer_allows(room):
    bad = {str(p.relative_to(ROOT)): v for p in sources(room) if (v := layer_violations(room, p.read_text()))}
    assert not bad, f"imports that point the wrong way: {bad}"


def _module_names(tree: ast.AST) -> dict[str, str]:
    """Local names bound to modules by imports in a source: name -> dotted module path."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    names[root] = root
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                dotted = f"{node.module}.{alias.name}"
                try:
                    is_module = importlib.util.find_spec(dotted) is not None
                except (ImportError, ValueError):
                    is_module = False
                if is_module:
                    names[alias.asname or alias.name] = dotted
    return names


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _as_module(expr: ast.expr, modules: dict[str, str]) -> str | None:
    """The dotted module an expression names, when it names one of the project's modules."""
    dotted = _dotted(expr)
    if dotted is None:
        return None
    head, _, rest = dotted.partition(".")
    if head not in modules:
        return None
    path = modules[head] + (f".{rest}" if rest else "")
    if path.split(".")[0] not in PROJECT:
        return None
    try:
        importlib.import_module(path)
    except ImportError:
        return None
    return path


def global_assignments(source: str) -> list[str]:
    """``module.NAME`` settings that a source assigns, or monkeypatches when they are not callable."""
    tree = ast.parse(source)
    modules = _module_names(tree)
    found = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and (module := _as_module(target.value, modules)):
                found.append(f"{module}.{target.attr}")
        if isinstance(node, ast.Call) and _dotted(node.func) in ("monkeypatch.setattr", "setattr"):
            args = node.args
            if len(args) >= 2 and isinstance(args[1], ast.Constant) and isinstance(args[1].value, str):
                module = _as_module(args[0], modules)
                if module and not callable(getattr(importlib.import_module(module), args[1].value, None)):
                    found.append(f"{module}.{args[1].value}")
    return found


def test_the_assignment_check_catches_a_setting_set_from_outside():
    assert global_assignments("import qa.llm.loading as m\nm.REPACK_ENV = 'X'\n") == ["qa.llm.loading.REPACK_ENV"]
    assert global_assignments(
        "import qa.llm.loading\ndef t(monkeypatch):\n    monkeypatch.setattr(qa.llm.loading, '_loaded', {})\n"
    ) == ["qa.llm.loading._loaded"]
    # Swapping a function for a spy is allowed; so is setting an attribute of an object.
    assert (
        global_assignments(
            "import qa.llm.generate\nimport x\nmonkeypatch.setattr(qa.llm.generate, 'write_state', f)\nx.y = 1\n"
        )
        == []
    )


@pytest.mark.parametrize("room", ["benchmarks", "tests", "ui", "citeqa", "evals", "qa", "index"])
def test_no_module_setting_is_assigned_from_outside_its_module(room):
    bad = {
        str(p.relative_to(ROOT)): v
        for p in sources(room)
        if p.name != "test_architecture.py" and (v := global_assignments(p.read_text()))
    }
    assert not bad, f"module settings assigned from outside: {bad}"


def test_library_modules_stay_small():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text().splitlines()) for p in sources("index", "qa", "evals")}
    assert not {p: n for p, n in sizes.items() if n > MAX_LIBRARY_LINES}
