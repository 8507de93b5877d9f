"""The layout's rules, checked so that they hold as the code grows
(CONTRIBUTING.md says why each exists)."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["common", "surveys", "analysis", "benchmark", "needsassessment", "tests"]
MAX_MODULE_LINES = 500
MAX_VIEW_LINES = 30
# The analysis modules that may read the database or the survey models; the
# rest are pure functions of DataFrames.
ANALYSIS_MAY_TOUCH_THE_DATABASE = {
    "selectors.py", "results.py", "state_profile.py", "rounds.py", "views.py", "forms.py",
    "urls.py", "jobs.py",
}  # fmt: skip


def modules(*packages):
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_no_module_is_longer_than_500_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in modules(*PACKAGES)
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }

    assert long == {}


def test_no_view_is_longer_than_30_lines():
    views = [ROOT / "surveys" / "admin", *ROOT.rglob("views.py")]
    long = {}
    for place in views:
        for path in [place] if place.is_file() else place.rglob("*.py"):
            if ".venv" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.FunctionDef):
                    lines = node.end_lineno - node.lineno + 1
                    if lines > MAX_VIEW_LINES:
                        long[f"{path.relative_to(ROOT)}:{node.name}"] = lines

    assert long == {}


def test_surveys_keeps_at_most_six_modules_at_its_top_level():
    top = sorted(path.name for path in (ROOT / "surveys").glob("*.py"))

    assert len(top) <= 6, top


def test_the_pure_analysis_modules_import_neither_the_surveys_app_nor_the_database():
    impure = {}
    for path in modules("analysis"):
        if path.name in ANALYSIS_MAY_TOUCH_THE_DATABASE or "management" in path.parts:
            continue
        touched = [
            name
            for name in imported_modules(path)
            if name == "surveys" or name.startswith(("surveys.", "django.db"))
        ]
        if touched:
            impure[str(path.relative_to(ROOT))] = touched

    assert impure == {}


RUFF = shutil.which("ruff", path=Path(sys.executable).parent)


@pytest.mark.skipif(RUFF is None, reason="ruff is installed with the dev extra")
def test_ruff_finds_nothing_including_functions_past_the_complexity_bound():
    finished = subprocess.run(
        [RUFF, "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True, timeout=120
    )

    assert finished.returncode == 0, finished.stdout[-3000:]
