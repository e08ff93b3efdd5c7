"""`archgraph` and `python -m archgraph`: the command line, with interruptions handled from the
first import on (an interrupt while click and grimp load would otherwise print a traceback), and
the process-wide settings that only the command line makes (see archgraph.process)."""

from __future__ import annotations

import sys

from archgraph.interrupts import (
    exit_code_of,
    forget_caught_interrupt,
    ignore_late_signals,
    terminate_cleanly,
)
from archgraph.process import deep_parser_stacks


def main() -> None:
    deep_parser_stacks()  # before grimp loads, let alone starts its threads
    try:
        with terminate_cleanly():
            from archgraph.cli import main as cli  # noqa: PLC0415

            cli()
    except BaseException as error:  # KeyboardInterrupt and Terminated are BaseExceptions
        ignore_late_signals()  # first thing: whatever ended the run (click ends it with SystemExit)
        handled = exit_code_of(error)
        if handled is None:
            raise
        code, message = handled
        print(message, file=sys.stderr)
        forget_caught_interrupt()
        sys.exit(code)


if __name__ == "__main__":
    main()
