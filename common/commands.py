"""`kitchen COMMAND ...`: every command of the project under one name (`kitchen run`, `kitchen dashboard`,
`kitchen plan`...), installed with the project (pyproject.toml's [project.scripts]).

Each command is the `python -m` module it names, given the rest of the command line: `kitchen plan --help`
is `python -m simulator.plan --help`, under the name the user typed. Only the command started is imported:
the list below is read from the modules' docstrings without importing them, so that `kitchen --help` is
quick and a command never pays for another's imports.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
import textwrap
from collections.abc import Callable

from common.command_line import Parser, SubcommandsListed, summary

COMMANDS = {
    "run": "simulator.__main__",
    "dashboard": "dashboard.__main__",
    "check": "simulator.check",
    "sweep": "simulator.sweep",
    "plan": "simulator.plan",
    "generate": "simulator.generate",
    "calibrate": "simulator.calibrate",
}
"""Each command, and the module whose main(argv) it runs."""


def described(module: str) -> str:
    """The module's one-line description, from its docstring read as text."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:  # not one of ours: COMMANDS names modules of the project
        raise ModuleNotFoundError(f"no module named {module!r}", name=module)
    with open(spec.origin, encoding="utf-8") as source:
        return summary(ast.get_docstring(ast.parse(source.read())))


def parser() -> Parser:
    width = max(map(len, COMMANDS))
    listed = "\n".join(
        textwrap.fill(
            described(module), 100, initial_indent=f"  {name:<{width}}  ", subsequent_indent=" " * (width + 4)
        )
        for name, module in COMMANDS.items()
    )
    flags = Parser(
        "kitchen",
        usage="%(prog)s [-h] COMMAND [ITS FLAGS ...]",
        description=f"Kitchen Simulator: every command under one name.\n\ncommands:\n{listed}",
        epilog="kitchen COMMAND --help shows a command's own flags.",
        formatter_class=SubcommandsListed,
    )
    flags.add_argument(
        "command",
        choices=list(COMMANDS),
        metavar="COMMAND",
        help="one of the commands above, followed by its own flags",
    )
    return flags


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = parser().parse_args(argv[:1]).command  # only the command: the rest is its own to read
    Parser.calling_name = f"kitchen {command}"
    try:
        run_command: Callable[[list[str]], int] = importlib.import_module(COMMANDS[command]).main
        return run_command(argv[1:])
    finally:
        Parser.calling_name = None


if __name__ == "__main__":
    sys.exit(main())
