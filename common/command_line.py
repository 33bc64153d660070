"""The one kind of parser every command reads its flags with (`kitchen ...`, `python -m simulator`, the studies,
the dashboard), so that they all answer a mistake the same way.

- A flag is written out or refused: `--sla 25` is not taken for `--sla-p90 25` (argparse's abbreviations
  would let a flag added later change what an old command line means).
- A mistake is one line naming it, with the nearest flag when one is close, and where to look: not the
  whole usage block, which hides the line that matters. Exit status 2.
- --help shows every flag's default: the defaults are the parameters file's, and the user should not
  have to open it to know what a run will do.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypedDict

from common.database import describe
from common.settings import PROJECT_ROOT

if TYPE_CHECKING:
    from typing import Unpack  # Python 3.11's: for annotations only, which are not evaluated

PREFIX = re.compile(r"^`[^`]*`:\s*")
"""A module docstring's opening `python -m ...`: the command's name, which the usage line already gives."""


def summary(doc: str | None) -> str:
    """A command's description: the first paragraph of its module's docstring, whole, on one line."""
    first = (doc or "").strip().split("\n\n", 1)[0]
    return PREFIX.sub("", " ".join(first.split()))


def shown_default(target: os.PathLike[str] | str) -> str:
    """A default file (or database) for --help: inside the project as 'data/orders.json in the project folder', the
    way the parameters file writes it, so that the help reads the same on every machine; a URL without its
    password. Escaped for argparse's %-formatting."""
    if isinstance(target, Path) and target.is_relative_to(PROJECT_ROOT):
        text = f"{target.relative_to(PROJECT_ROOT)} in the project folder"
    else:
        text = describe(target)
    return text.replace("%", "%%")


class DefaultsShown(argparse.HelpFormatter):
    """Every flag with a default says it: its help's own words when they name it, else '(default: ...)'."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if shows_default(action) and "default" not in text.lower():
            text += " (default: %(default)s)"
        return text


class SubcommandsListed(argparse.RawDescriptionHelpFormatter, DefaultsShown):
    """For a description laid out by hand, like `kitchen`'s list of commands."""


def shows_default(action: argparse.Action) -> bool:
    """Whether the flag has a default worth saying: not for a switch, nor for one that is off unless given."""
    return (
        action.option_strings != []
        and not any(action.default is nothing for nothing in (None, False))
        and action.default != argparse.SUPPRESS
    )


class ParserOptions(TypedDict, total=False):
    """What a command may give argparse beyond its name, docstring and description."""

    usage: str
    epilog: str
    formatter_class: type[argparse.HelpFormatter]


class Parser(argparse.ArgumentParser):
    """argparse, strict about abbreviations and brief about mistakes (see the module's docstring)."""

    calling_name: str | None = None
    """The name the command was started by, when it is not its own (`kitchen plan` for python -m
    simulator.plan): set by `kitchen` (common/commands.py), so that usage and errors name what the user typed."""

    def __init__(
        self, prog: str, doc: str | None = None, description: str | None = None, **options: Unpack[ParserOptions]
    ) -> None:
        options.setdefault("formatter_class", DefaultsShown)
        super().__init__(
            prog=Parser.calling_name or prog,
            description=description or summary(doc),
            allow_abbrev=False,
            **options,
        )

    def error(self, message: str) -> NoReturn:
        """One line: what is wrong, the flag (or choice) meant when one is close, and --help."""
        nearest = self.nearest(message)
        self.exit(
            2,
            f"{self.prog}: error: {message}"
            + (f"; did you mean {nearest}?" if nearest else "")
            + f" (see {self.prog} --help)\n",
        )

    def nearest(self, message: str) -> str | None:
        """The flag an unrecognized one was probably meant to be (a prefix of it, or a near spelling), or the
        choice a refused value was."""
        if message.startswith("unrecognized arguments:"):
            flags = sorted(flag for flag in self._option_string_actions if flag.startswith("--"))
            for given in message.split(":", 1)[1].split():
                if given.startswith("-"):
                    return _nearest(given.split("=", 1)[0], flags)
            return None
        refused = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if refused:
            return _nearest(refused.group(1), [choice.strip("' ") for choice in refused.group(2).split(",")])
        return None


def port_number(text: str) -> int:
    """A TCP port, 1-65535, as a flag's type: anything else is argparse's one-line error."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 1 to 65535, got {port}")
    return port


def _nearest(given: str, known: list[str]) -> str | None:
    starting = [name for name in known if name.startswith(given)]
    if len(starting) == 1:
        return starting[0]
    close = difflib.get_close_matches(given, starting or known, n=1, cutoff=0.6)
    return close[0] if close else None
