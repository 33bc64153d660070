"""`python -m dashboard.passwords NAME`: print a `NAME:hash` line for DASHBOARD_USERS or DASHBOARD_USERS_FILE.

The password is asked for twice, without echo, and hashed with Werkzeug (scrypt)."""

from __future__ import annotations

import getpass
import sys

from werkzeug.security import generate_password_hash

from common.command_line import Parser


def parser() -> Parser:
    flags = Parser("python -m dashboard.passwords", __doc__)
    flags.add_argument("name", help="the user's name (no colon)")
    return flags


def main(argv: list[str] | None = None) -> int:
    flags = parser()
    args = flags.parse_args(argv)
    if ":" in args.name or not args.name.strip():
        flags.error("a name without a colon, please")
    password = getpass.getpass(f"password for {args.name}: ")
    if not password or password != getpass.getpass("again: "):
        print("dashboard.passwords: the two passwords differ, or are empty", file=sys.stderr)
        return 2
    print(f"{args.name}:{generate_password_hash(password)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
