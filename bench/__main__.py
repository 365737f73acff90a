"""`python -m bench` (make bench): the full run, ~5 minutes; `--quick` (make bench-quick, and the test suite): a few
seconds with tiny samples, to show that every measurement still runs. The table goes to stdout, progress to stderr."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .run import Config, main


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny samples, small database, a few seconds")
    parser.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL rows")
    parser.add_argument("--markdown", type=Path, help="also write the table as Markdown to this file")
    parser.add_argument("--only", choices=["inbox"], help="only these rows: `inbox` = the inbox pages on the large "
                        "database (≈ 1 minute once the database exists)")
    parser.add_argument("--data-dir", type=Path, help="where the large generated database is kept and reused")
    return parser.parse_args(argv)


def run(argv: list[str] | None = None) -> int:
    args = parse(argv)
    config = Config.quick_run() if args.quick else Config()
    config.pg = not args.no_pg
    if args.only:
        config.only = args.only
    if args.data_dir:
        config.data_dir = args.data_dir
    print(main(config, args.markdown), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(run())
