"""Entry point of the frozen app: freeze_support() first, then the same main() as `desktop-app`."""

import multiprocessing
import sys

if __name__ == "__main__":
    # Must run before anything else: a child process started by multiprocessing re-executes this file.
    multiprocessing.freeze_support()

    from desktop_app.__main__ import main

    sys.exit(main())
