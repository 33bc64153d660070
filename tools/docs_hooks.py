"""MkDocs hooks (mkdocs.yml `hooks:`): the reference pages are written from the code at every build.

A page asks for generated text with a marker alone on its line:

    <!-- generated: help simulator.plan -->   the command's --help, run in a subprocess (`python -m MODULE
                                             --help`: `help common.commands` is `kitchen --help`)
    <!-- generated: make-help -->             `make -s help`: the make targets
    <!-- generated: parameters -->            every knob of parameters/simulation_parameters.py
    <!-- generated: environment -->           the variables common/settings.py reads
    <!-- generated: schema -->                the tables of common/schema.sql, column by column
    <!-- generated: schema-source -->         common/schema.sql itself
    <!-- generated: bench-results -->         bench/RESULTS.md, the latest benchmark figures

So the site cannot drift from the parsers, the parameters, the schema or the benchmarks. A marker may be
indented (inside an admonition, say): what replaces it is indented alike. Commands run with the Python that
runs MkDocs (the project's virtual environment: `make docs`), from the project folder. An unknown marker, a
command that fails, or a table of the schema that the page does not mention stops the build. The project's
images/ are added to the site as images/, so pages show the README's screenshots.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^([ \t]*)<!-- generated: ([a-z-]+)(?: (\S+))? -->$", re.MULTILINE)
HELP_WIDTH = "100"  # argparse wraps --help to COLUMNS: the same width on every machine


def on_files(files, config):
    """The README's screenshots (images/ at the project root) are the site's too."""
    for image in sorted((ROOT / "images").glob("*.png")):
        files.append(File.generated(config, f"images/{image.name}", abs_src_path=str(image)))
    return files


def on_pre_build(config):
    """Read everything afresh at each build (`mkdocs serve` rebuilds when code or results change)."""
    for generator in GENERATORS.values():
        if hasattr(generator, "cache_clear"):
            generator.cache_clear()
    schema_tables.cache_clear()


def on_page_markdown(markdown: str, page, config, files) -> str:
    def replace(match: re.Match) -> str:
        indent, kind, argument = match.groups()
        if kind not in GENERATORS:
            raise PluginError(f"{page.file.src_uri}: unknown marker 'generated: {kind}'")
        text = GENERATORS[kind](argument) if argument else GENERATORS[kind]()
        return "\n".join(indent + line if line else line for line in text.splitlines())  # inside a block too

    if "<!-- generated: schema -->" in markdown:
        _check_every_table_is_described(markdown, page.file.src_uri)
    return MARKER.sub(replace, markdown)


def _run(*command: str) -> str:
    environment = {**os.environ, "COLUMNS": HELP_WIDTH, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=environment, timeout=120)
    if done.returncode != 0:
        raise PluginError(f"`{' '.join(command)}` exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def _fenced(text: str, language: str = "text") -> str:
    return f"```{language}\n{text.rstrip()}\n```"


@cache
def command_help(module: str) -> str:
    """`python -m MODULE --help`, exactly as the command prints it."""
    return _fenced(_run(sys.executable, "-m", module, "--help"))


@cache
def make_help() -> str:
    return _fenced(_run("make", "-s", "--no-print-directory", "help"))


@cache
def parameters() -> str:
    """A table of the knobs common/settings.py accepts, with the shipped file's default and its comment."""
    knobs = json.loads(
        _run(
            sys.executable,
            "-c",
            "import json; from common.settings import KNOBS; print(json.dumps({k: v[1] for k, v in KNOBS.items()}))",
        )
    )
    source = (ROOT / "parameters" / "simulation_parameters.py").read_text(encoding="utf-8")
    shipped = _assignments_with_comments(source)
    unknown = set(shipped) - set(knobs)
    if unknown:
        raise PluginError(
            f"parameters/simulation_parameters.py sets {sorted(unknown)}, which common/settings.py does not know"
        )
    rows = ["| name | what it holds | shipped value | what it means |", "| --- | --- | --- | --- |"]
    for name, wanted in knobs.items():
        value, comment = shipped.get(name, ("(not in the file)", ""))
        rows.append(f"| `{name}` | {_cell(wanted)} | `{_cell(value)}` | {_cell(comment)} |")
    return "\n".join(rows)


def _assignments_with_comments(source: str) -> dict[str, tuple[str, str]]:
    """Each top-level `NAME = value` of a parameters file, with the comment block right above it; an
    assignment right below another (no comment, no blank line between) shares that one's comment."""
    lines = source.splitlines()
    found: dict[str, tuple[str, str]] = {}
    comment = ""
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            continue
        above, number = [], node.lineno - 2  # the line before the assignment, counted from 0
        while number >= 0 and lines[number].startswith("#"):
            above.insert(0, lines[number].lstrip("#").strip())
            number -= 1
        if above or not (number >= 0 and lines[number].strip()):
            comment = " ".join(above)
        found[node.targets[0].id] = (ast.get_source_segment(source, node.value), comment)
    return found


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


@cache
def environment() -> str:
    """The overrides common/settings.py lists in its docstring, one `- NAME: meaning;` line each."""
    docstring = ast.get_docstring(ast.parse((ROOT / "common" / "settings.py").read_text(encoding="utf-8")))
    items = re.findall(r"^- (KITCHEN_[A-Z0-9_]+): (.+?)[;.]?$", docstring or "", re.MULTILINE)
    if not items:
        raise PluginError("common/settings.py's docstring lists no KITCHEN_ variables")
    rows = ["| variable | overrides |", "| --- | --- |"]
    rows += [f"| `{name}` | {_cell(meaning)} |" for name, meaning in items]
    return "\n".join(rows)


SCHEMA = ROOT / "common" / "schema.sql"


@cache
def schema_tables() -> list[dict]:
    """The tables of common/schema.sql, statement by statement: name, the comment above, columns (name, type,
    comment), primary key, and the indexes on each with their comments."""
    tables: dict[str, dict] = {}
    comment: list[str] = []
    statement: list[str] = []
    for line in SCHEMA.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not statement and stripped.startswith("--"):
            comment.append(stripped.lstrip("-").strip())
            continue
        if not statement and not stripped:
            comment = []
            continue
        statement.append(stripped)
        if stripped.split("--")[0].rstrip().endswith(";"):
            _statement(statement, " ".join(comment), tables)
            statement, comment = [], []
    if not tables:
        raise PluginError("common/schema.sql: no CREATE TABLE found")
    return list(tables.values())


def _statement(lines: list[str], comment: str, tables: dict[str, dict]) -> None:
    if start := re.match(r"CREATE TABLE IF NOT EXISTS (\w+) \($", lines[0]):
        table = tables[start.group(1)] = {
            "name": start.group(1),
            "comment": comment,
            "columns": [],
            "key": "",
            "indexes": [],
        }
        for line in lines[1:-1]:
            code, _, note = line.partition("--")
            code = code.strip().rstrip(",").strip()
            if code.startswith("PRIMARY KEY"):
                table["key"] = code[len("PRIMARY KEY") :].strip(" ()")
            elif code:
                name, _, definition = code.partition(" ")
                table["columns"].append((name, " ".join(definition.split()), note.strip()))
        return
    text = " ".join(line.split("--")[0].strip() for line in lines)
    if index := re.match(r"CREATE INDEX IF NOT EXISTS (\w+)\s+ON (\w+) \((.*?)\)\s*(.*?);$", text):
        name, on, columns, where = index.groups()
        tables[on]["indexes"].append((name, f"({columns})" + (f" {where}" if where else ""), comment))
        return
    raise PluginError(f"common/schema.sql: a statement the reference cannot read: {text[:80]}")


@cache
def schema() -> str:
    parts = []
    for table in schema_tables():
        parts.append(f"### `{table['name']}`\n")
        if table["comment"]:
            parts.append(table["comment"] + "\n")
        rows = ["| column | type | notes |", "| --- | --- | --- |"]
        rows += [f"| `{name}` | `{_cell(kind)}` | {_cell(note)} |" for name, kind, note in table["columns"]]
        parts.append("\n".join(rows) + "\n")
        if table["key"]:
            parts.append(f"Primary key: `({table['key']})`.\n")
        for name, columns, note in table["indexes"]:
            parts.append(f"Index `{name}` on `{_cell(columns)}`" + (f": {note}" if note else ".") + "\n")
    return "\n".join(parts)


def schema_source() -> str:
    return _fenced(SCHEMA.read_text(encoding="utf-8"), "sql")


def _check_every_table_is_described(markdown: str, page: str) -> None:
    """The page's own words (before the generated part) must name every table, so a new table is explained."""
    prose = markdown.split("<!-- generated: schema -->")[0]
    missing = [t["name"] for t in schema_tables() if f"`{t['name']}`" not in prose]
    if missing:
        raise PluginError(f"{page} does not describe these tables of common/schema.sql: {', '.join(missing)}")


@cache
def bench_results() -> str:
    """bench/RESULTS.md without its title; its own headings one level down, under the page's."""
    text = (ROOT / "bench" / "RESULTS.md").read_text(encoding="utf-8")
    text = re.sub(r"\A# .*\n", "", text)
    return re.sub(r"^(#+) ", r"\1# ", text, flags=re.MULTILINE).strip()


GENERATORS = {
    "help": command_help,
    "make-help": make_help,
    "parameters": parameters,
    "environment": environment,
    "schema": schema,
    "schema-source": schema_source,
    "bench-results": bench_results,
}
