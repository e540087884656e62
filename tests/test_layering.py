"""The layers of ARCHITECTURE.md hold: read from the imports of every module, not trusted."""

from __future__ import annotations

import ast
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
COMPOSITION_ROOT = "bot/app.py"
SHARED = "common"
LONGEST_MODULE = 400


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module imported, names taken from it) for each import of a file, nested ones too."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def _public_names(package: Path) -> set[str]:
    """What a feature package's `__init__.py` lists in `__all__`."""
    tree = ast.parse((package / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            return set(ast.literal_eval(node.value))
    return set()


def _features(root: Path) -> list[str]:
    return sorted(
        path.name
        for path in (root / "handlers").iterdir()
        if (path / "__init__.py").exists() and path.name != SHARED
    )


def _handler_import_problem(
    root: Path, owner: str, module: str, names: list[str], features: list[str]
) -> str | None:
    parts = module.split(".")
    if parts[0] != "handlers":
        return None
    if len(parts) == 1:
        taken = [name for name in names if name in features and name != owner]
        return f"imports feature package(s) {taken} whole" if taken else None
    target = parts[1]
    if target in (owner, SHARED):
        return None
    if owner == SHARED:
        return f"shared code imports feature '{target}'"
    if len(parts) > 2:
        return f"reaches into {module}, an internal of feature '{target}'"
    public = _public_names(root / "handlers" / target)
    private = sorted(set(names) - public)
    return f"takes {private} from feature '{target}', which does not list them" if private else None


def layering_problems(root: Path) -> list[str]:
    """Each breach of the layers under `root`, as `path: problem`."""
    problems: list[str] = []
    features = _features(root)
    for path in sorted((root / "handlers").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        owner = path.relative_to(root / "handlers").parts[0]
        owner = owner if owner in features else SHARED
        if len(path.read_text(encoding="utf-8").splitlines()) > LONGEST_MODULE:
            problems.append(f"{relative}: longer than {LONGEST_MODULE} lines")
        for module, names in _imports(path):
            problem = _handler_import_problem(root, owner, module, names, features)
            if problem:
                problems.append(f"{relative}: {problem}")
    for feature in features:
        if "create_router" not in _public_names(root / "handlers" / feature):
            problems.append(f"handlers/{feature}/__init__.py: does not expose create_router")
    for path in sorted((root / "bot").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        in_services = relative.startswith("bot/services/")
        for module, _names in _imports(path):
            top = module.split(".")[0]
            if in_services and top in ("aiogram", "handlers"):
                problems.append(f"{relative}: a service imports {module}")
            elif top == "handlers" and relative != COMPOSITION_ROOT:
                problems.append(f"{relative}: imports {module} outside the composition root")
    return problems


def test_the_shipped_tree_keeps_its_layers():
    assert layering_problems(PROJECT) == []


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_each_kind_of_breach_is_named(tmp_path):
    _write(tmp_path, "handlers/__init__.py", "")
    _write(tmp_path, "handlers/common/__init__.py", "")
    _write(tmp_path, "handlers/common/ui.py", "from handlers.reports import create_router\n")
    _write(tmp_path, "handlers/documents/__init__.py", '__all__ = ["create_router", "send_pdf"]\n')
    _write(tmp_path, "handlers/documents/pdf.py", "def render(): ...\n")
    _write(tmp_path, "handlers/reports/__init__.py", '__all__ = ["create_router"]\n')
    _write(
        tmp_path,
        "handlers/reports/view.py",
        "from handlers.documents import send_pdf\n"
        "from handlers.documents import render\n"
        "from handlers.documents.pdf import render\n"
        "from handlers.common.ui import show\n"
        + "x = 1\n" * LONGEST_MODULE,
    )
    _write(tmp_path, "handlers/access/__init__.py", "__all__ = []\n")
    _write(tmp_path, "bot/app.py", "from handlers import reports\n")
    _write(tmp_path, "bot/delivery.py", "from handlers.reports import create_router\n")
    _write(tmp_path, "bot/services/reports.py", "from aiogram import Bot\nimport handlers.common\n")

    assert layering_problems(tmp_path) == [
        "handlers/common/ui.py: shared code imports feature 'reports'",
        f"handlers/reports/view.py: longer than {LONGEST_MODULE} lines",
        "handlers/reports/view.py: takes ['render'] from feature 'documents', "
        "which does not list them",
        "handlers/reports/view.py: reaches into handlers.documents.pdf, "
        "an internal of feature 'documents'",
        "handlers/access/__init__.py: does not expose create_router",
        "bot/delivery.py: imports handlers.reports outside the composition root",
        "bot/services/reports.py: a service imports aiogram",
        "bot/services/reports.py: a service imports handlers.common",
    ]
