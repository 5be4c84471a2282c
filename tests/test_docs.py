"""The documentation against the repository: docs/configuration.md's table names every environment
variable the code reads and none that it does not, and no file cites a document the repository
lacks (a fresh clone has nothing beside it). Pure file checks: no server is started."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CONFIGURATION = ROOT / "docs" / "configuration.md"  # the table of every variable (README points to it)
# Where the code that reads the environment lives; tests set variables, they are not configuration.
CODE = ("libs", "services", "simulator", "bench")
SKIPPED_FOLDERS = {"tests", "node_modules", "__pycache__"}
CITING = {".py", ".md", ".sql", ".yaml", ".yml", ".html", ".js"}
TABLE_HEADING = "# Configuration"


class UnresolvedRead(Exception):
    """The code reads a variable whose name this test cannot tell: a reader it must learn, rather
    than a variable the table could silently miss."""


# --- what the code reads ---------------------------------------------------------------------


def _is_environ(node: ast.expr) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr == "environ" and isinstance(node.value, ast.Name) and node.value.id == "os"
    return isinstance(node, ast.Name) and node.id == "environ"


def _is_getenv(node: ast.expr) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr == "getenv" and isinstance(node.value, ast.Name) and node.value.id == "os"
    return isinstance(node, ast.Name) and node.id == "getenv"


def _name(node: ast.expr) -> str | None:
    """A literal key, or an f-string's shape with `*` for each interpolated part."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = [v.value if isinstance(v, ast.Constant) else "*" for v in node.values]
        return "".join(str(p) for p in parts)
    return None


@dataclass(frozen=True)
class Helper:
    """A function that reads the variable its caller names (`_flag("KAFKA_ENABLE_IDEMPOTENCE", ...)`)."""

    function: str
    index: int
    parameter: str


class _Reads(ast.NodeVisitor):
    def __init__(self, where: str) -> None:
        self.where = where
        self.names: set[str] = set()
        self.helpers: set[Helper] = set()
        self._functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []

    def _key(self, key: ast.expr, line: int) -> None:
        name = _name(key)
        if name is not None:
            self.names.add(name)
            return
        if isinstance(key, ast.Name) and self._functions:
            function = self._functions[-1]
            parameters = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
            if key.id in parameters:
                self.helpers.add(Helper(function.name, parameters.index(key.id), key.id))
                return
        raise UnresolvedRead(f"{self.where}:{line}: the environment is read with a key this test cannot name")

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._functions.append(node)
        self.generic_visit(node)
        self._functions.pop()

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._functions.append(node)
        self.generic_visit(node)
        self._functions.pop()

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        reads = _is_getenv(func) or (isinstance(func, ast.Attribute) and func.attr == "get" and _is_environ(func.value))
        if reads and node.args:
            self._key(node.args[0], node.lineno)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if _is_environ(node.value) and isinstance(node.ctx, ast.Load):
            self._key(node.slice, node.lineno)
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        if isinstance(node.ops[0], ast.In | ast.NotIn) and _is_environ(node.comparators[0]):
            self._key(node.left, node.lineno)
        self.generic_visit(node)


def _base_names(node: ast.ClassDef) -> set[str]:
    return {b.id if isinstance(b, ast.Name) else b.attr for b in node.bases if isinstance(b, ast.Name | ast.Attribute)}


def _env_prefix(node: ast.ClassDef) -> str | None:
    for statement in node.body:
        if (
            isinstance(statement, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "model_config" for t in statement.targets)
            and isinstance(statement.value, ast.Call)
        ):
            for keyword in statement.value.keywords:
                if keyword.arg == "env_prefix" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
    return None


def _settings_fields(node: ast.ClassDef, prefix: str) -> Iterator[str]:
    """The variables a pydantic-settings model reads: its prefix and each field's name, or the
    aliases a field names instead."""
    for statement in node.body:
        if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
            continue
        field = statement.target.id
        if field.startswith("_") or field == "model_config" or "ClassVar" in ast.unparse(statement.annotation):
            continue
        aliases: list[str] = []
        if isinstance(statement.value, ast.Call):
            for keyword in statement.value.keywords:
                if keyword.arg in {"alias", "validation_alias"}:
                    value = keyword.value
                    choices = value.args if isinstance(value, ast.Call) else [value]
                    aliases += [str(c.value) for c in choices if isinstance(c, ast.Constant)]
        yield from (a.upper() for a in aliases) if aliases else [(prefix + field).upper()]


def code_files() -> Iterator[Path]:
    for top in CODE:
        for path in sorted((ROOT / top).rglob("*.py")):
            if not SKIPPED_FOLDERS.intersection(path.relative_to(ROOT).parts):
                yield path


def variables_read(sources: dict[str, str]) -> set[str]:
    """Every environment variable the given modules read (`*` where an f-string fills in part of a
    name): `os.environ[...]`, `os.environ.get(...)`, `os.getenv(...)`, `... in os.environ`, a
    helper's callers' literal names, and pydantic-settings models."""
    names: set[str] = set()
    helpers: set[Helper] = set()
    trees = {where: ast.parse(source) for where, source in sources.items()}
    for where, tree in trees.items():
        reads = _Reads(where)
        reads.visit(tree)
        names |= reads.names
        helpers |= reads.helpers
    # A settings model's subclasses are settings too, with its prefix unless they name their own.
    prefixes = {"BaseSettings": ""}
    classes = [n for tree in trees.values() for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    while grown := [c for c in classes if c.name not in prefixes and _base_names(c) & prefixes.keys()]:
        for cls in grown:
            inherited = next(prefixes[b] for b in _base_names(cls) if b in prefixes)
            prefixes[cls.name] = _env_prefix(cls) or inherited
            names.update(_settings_fields(cls, prefixes[cls.name]))
    for where, tree in trees.items():
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            func = call.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            for helper in (h for h in helpers if h.function == called):
                args = [a for a in call.args]
                key = args[helper.index] if len(args) > helper.index else None
                key = next((k.value for k in call.keywords if k.arg == helper.parameter), key)
                name = None if key is None else _name(key)
                if name is None:
                    raise UnresolvedRead(
                        f"{where}:{call.lineno}: {called}() is called with a name this test cannot tell"
                    )
                names.add(name)
    return names


def code_variables() -> set[str]:
    return variables_read({str(p.relative_to(ROOT)): p.read_text() for p in code_files()})


def table_variables(readme: str) -> dict[str, str]:
    """The names in the first column of the table under README's configuration heading (`<SERVICE>`
    placeholders as `*`), each with its row."""
    lines = ("\n" + readme).split(f"\n{TABLE_HEADING}\n", 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line)
    found: dict[str, str] = {}
    for row in rows:
        first = row.split("|")[1]
        for name in re.findall(r"`([A-Z<][A-Z0-9_<>]*)`", first):
            found[re.sub(r"<[A-Z_]+>", "*", name)] = row
    return found


# --- what the files cite ---------------------------------------------------------------------

_URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+")
_SHARED = re.compile(r"(?<![\w/.-])(?:\.\./)*shared/[\w./-]*")
_MARKDOWN = re.compile(r"(?<![\w/.-])((?:\.{1,2}/)*(?:[\w-][\w.-]*/)*[\w-][\w.-]*\.md)(?![\w-])")
# A name with a wildcard or a placeholder in it (`0009-*`, `<name>`) is a pattern, not a path.
_DOCS = re.compile(r"(?<![\w/.-])((?:\.{1,2}/)*docs/[\w./-]*)(?![\w./*<{-])")


# `ROOT / "bench" / "results" / "load.md"`: a segment of a path the code builds, not a citation.
_JOINED = re.compile(r"/\s*[\"'][\w.-]+[\"']")


def citations(text: str) -> tuple[list[str], list[str]]:
    """(paths to documents, references to the `shared/` folder outside the repository) in a text."""
    text = _JOINED.sub(" ", _URL.sub(" ", text))
    paths = [m.group(1) for m in _MARKDOWN.finditer(text)]
    paths += [m.group(1).rstrip(".,;:") for m in _DOCS.finditer(text)]
    return list(dict.fromkeys(paths)), _SHARED.findall(text)


def citing_files() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {".venv", "var"} or any(
            p.startswith(".") or p in {"node_modules", "__pycache__"} for p in parts
        ):
            continue
        if path.suffix in CITING and path.is_file() and path != Path(__file__).resolve():
            yield path


def exists(cited: str, where: Path) -> bool:
    """Relative to the citing file or to the repository; a decision may be cited by its number
    (`docs/decisions/0004`)."""
    for path in (where.parent / cited, ROOT / cited):
        if path.exists() or (path.parent.is_dir() and any(path.parent.glob(f"{path.name}-*.md"))):
            return True
    return False


# --- the tests -------------------------------------------------------------------------------


def test_the_readme_table_names_every_variable_the_code_reads() -> None:
    missing = code_variables() - set(table_variables(CONFIGURATION.read_text()))
    assert not missing, f"read by the code, missing from docs/configuration.md's table: {sorted(missing)}"


def test_the_readme_table_names_no_variable_the_code_does_not_read() -> None:
    rows = table_variables(CONFIGURATION.read_text())
    unread = set(rows) - code_variables()
    assert not unread, f"in docs/configuration.md's table, read by no code: {sorted(unread)}"


def test_each_row_of_the_table_gives_a_default_and_a_meaning() -> None:
    for name, row in table_variables(CONFIGURATION.read_text()).items():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        assert len(cells) == 3, f"{name}: a row is `name | default | meaning`: {row}"
        assert all(cells), f"{name}: an empty cell: {row}"


def test_no_file_cites_the_shared_folder_outside_the_repository() -> None:
    found = [f"{p.relative_to(ROOT)}: {s}" for p in citing_files() for s in citations(p.read_text())[1]]
    assert not found, "cite the repository's own docs (docs/…) instead:\n" + "\n".join(found)


def test_every_cited_document_exists_in_the_repository() -> None:
    missing = [
        f"{p.relative_to(ROOT)}: {cited}"
        for p in citing_files()
        for cited in citations(p.read_text())[0]
        if not exists(cited, p)
    ]
    assert not missing, "cited, not in the repository:\n" + "\n".join(missing)


def test_the_docs_a_newcomer_is_sent_to_exist() -> None:
    for doc in ("LICENSE", "CONTRIBUTING.md", "SECURITY.md", "docs/domain.md", "docs/architecture.md"):
        assert (ROOT / doc).is_file(), doc
    assert (ROOT / "docs/decisions/README.md").is_file()


def test_the_decision_index_lists_every_decision() -> None:
    index = (ROOT / "docs/decisions/README.md").read_text()
    records = sorted(p.name for p in (ROOT / "docs/decisions").glob("[0-9][0-9][0-9][0-9]-*.md"))
    assert records
    missing = [r for r in records if f"({r})" not in index]
    assert not missing, f"not in docs/decisions/README.md: {missing}"


# --- the finders themselves, on known text ---------------------------------------------------


def test_the_finder_sees_every_way_of_reading_a_variable() -> None:
    source = """
import os
from os import environ, getenv
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic import AliasChoices, Field

A = os.environ["READ_BY_INDEX"]
B = os.environ.get("READ_BY_GET", "x")
C = os.getenv("READ_BY_GETENV")
D = environ.get("READ_BY_IMPORTED_ENVIRON")
E = getenv("READ_BY_IMPORTED_GETENV")
F = "READ_BY_MEMBERSHIP" in os.environ
os.environ["ONLY_WRITTEN"] = "1"
os.environ.setdefault("ONLY_DEFAULTED", "1")

def url(service: str) -> str:
    return os.environ.get(f"{service.upper()}_URL", "")

def flag(name: str, default: bool) -> bool:
    return os.environ.get(name) == "1"

G = flag("READ_THROUGH_A_HELPER", False)

class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SVC_")
    port: int = 1
    secret: str = Field(validation_alias=AliasChoices("SVC_SECRET", "LEGACY_SECRET"))

class More(Settings):
    extra: str = ""
"""
    assert variables_read({"example.py": source}) == {
        "READ_BY_INDEX",
        "READ_BY_GET",
        "READ_BY_GETENV",
        "READ_BY_IMPORTED_ENVIRON",
        "READ_BY_IMPORTED_GETENV",
        "READ_BY_MEMBERSHIP",
        "*_URL",
        "READ_THROUGH_A_HELPER",
        "SVC_PORT",
        "SVC_SECRET",
        "LEGACY_SECRET",
        "SVC_EXTRA",
    }


def test_a_read_the_finder_cannot_name_fails_rather_than_pass_unseen() -> None:
    with pytest.raises(UnresolvedRead, match=r"example\.py:3"):
        variables_read({"example.py": "import os\nNAMES = ['X']\nV = os.environ[NAMES[0]]\n"})


def test_the_table_reader_reads_the_configuration_table_only() -> None:
    readme = (
        "# x\n\n| `NOT_CONFIG` | a | b |\n\n"
        f"{TABLE_HEADING}\n\nText.\n\n| name | default | meaning |\n|---|---|---|\n"
        "| `DATABASE_URL` | none | the server |\n| `<SERVICE>_URL` | `http://…` | where |\n\n| `LATER` | a | b |\n"
    )
    assert set(table_variables(readme)) == {"DATABASE_URL", "*_URL"}


def test_the_citation_finder_sees_documents_and_the_outside_folder() -> None:
    text = (
        "see `../shared/domain.md` and shared/integration.md; docs/flow.md, [a](../architecture.md), "
        "domain.md §3, docs/decisions/, https://example.com/x/FINDINGS.md, libs/shared/x.py, docs/decisions/0009-*, "
        'ROOT / "bench" / "results" / "load.md"'
    )
    paths, shared = citations(text)
    documents = ["../shared/domain.md", "shared/integration.md", "docs/flow.md", "../architecture.md", "domain.md"]
    assert paths == [*documents, "docs/decisions/"]
    assert shared == ["../shared/domain.md", "shared/integration.md"]
    assert not exists("domain.md", ROOT / "services/booking/booking/handlers.py")
    assert exists("docs/decisions/0001", ROOT / "README.md")
    assert not exists("docs/decisions/0999", ROOT / "README.md")


# --- bench/results keeps every run -------------------------------------------------------------


def test_a_bench_run_puts_the_run_before_it_under_earlier_runs(tmp_path: Path) -> None:
    from bench.results_history import EARLIER, with_earlier_runs

    results = tmp_path / "load.md"
    first = "# Load benchmark\n\nRun 2026-11-01 10:00 UTC with `x`.\n\n## Results\n\n| a |\n|---|\n| 1 |\n"
    results.write_text(with_earlier_runs(first, results))
    second = "# Load benchmark\n\nRun 2026-11-02 10:00 UTC with `x`.\n\n## Results\n\n| a |\n|---|\n| 2 |\n"
    results.write_text(with_earlier_runs(second, results))
    third = "# Load benchmark\n\nRun 2026-11-03 10:00 UTC with `x`.\n\n## Results\n\n| a |\n|---|\n| 3 |\n"
    text = with_earlier_runs(third, results)

    latest, earlier = text.split(EARLIER, 1)
    assert "| 3 |" in latest
    assert "| 2 |" not in latest
    assert earlier.index("Run 2026-11-02") < earlier.index("Run 2026-11-01")  # newest first
    assert "| 2 |" in earlier
    assert "| 1 |" in earlier
    assert "\n# " not in earlier  # an earlier run's headings sit under the section, not beside it
    assert text.count(EARLIER) == 1


def test_every_results_file_keeps_its_earlier_runs_newest_first() -> None:
    from bench.results_history import EARLIER

    for name in ("backbone", "rebuild", "load", "broker"):
        text = (ROOT / "bench/results" / f"{name}.md").read_text()
        assert EARLIER in text, name
        entries = re.findall(r"^### Run (\d{4}-\d\d-\d\d)\D+(\d\d:\d\d)", text.split(EARLIER, 1)[1], re.M)
        runs = [f"{day} {time}" for day, time in entries]
        assert runs, name
        assert runs == sorted(runs, reverse=True), f"{name}: {runs}"
