"""`desktop-app`: the GUI with no arguments or with `gui`; otherwise the command line."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from desktop_app.core import startup  # noqa: F401  (starts the launch clock as early as possible)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    gui_flags = ("--quit-after", "--screenshot", "--startup-report")
    if not args or args[0] == "gui" or args[0].startswith(gui_flags):
        from desktop_app.app import main as gui_main

        return gui_main(args[1:] if args and args[0] == "gui" else args)
    from desktop_app.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
