"""Mutation testing of the guard modules, one module at a time with only the tests that cover it (`make mutation`).

Each module runs mutmut (pinned in setup.cfg's `mutation` extra) in its own scratch folder under .mutation/<name>/:
the repository's setup.cfg is copied there with the [mutmut] section narrowed to that module (only_mutate) and its
covering tests (pytest_add_cli_args_test_selection); the source folders are linked, mutmut copies them into mutants/.
The results go to .mutation/<name>/results.txt and a summary table is printed at the end.

    python -m bench.mutation                 # every module in MODULES
    python -m bench.mutation audit workdays  # only these
    python -m bench.mutation --list          # the modules and their tests
"""
from __future__ import annotations

import argparse
import configparser
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / '.mutation'
LINKED = ('engine', 'web', 'processes', 'bench', 'tests')

# name -> (module path, covering tests).  Keep the tests narrow: every mutant runs the tests that reach it.
MODULES: dict[str, tuple[str, list[str]]] = {
    'sandbox': ('engine/definitions/scripting.py', ['tests/engine/test_scripting.py']),
    'audit': ('engine/runtime/audit.py', ['tests/engine/test_integrity.py', '-k',
                                           'chain_rule or removed_events_at_the_end']),
    'tasks': ('engine/runtime/tasks.py', ['tests/engine/test_guards.py', '-k', 'task_rule']),
    'workdays': ('engine/calendar/workdays.py', ['tests/engine/test_workdays.py']),
    'lint': ('engine/definitions/lint.py', ['tests/engine/test_expression_sites.py', 'tests/engine/test_deploy.py',
                                            '-k', 'not working_copy']),
}


def scratch_config(name: str, module: str, tests: list[str]) -> str:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / 'setup.cfg', encoding='utf-8')
    if not parser.has_section('mutmut'):
        parser.add_section('mutmut')
    parser.set('mutmut', 'only_mutate', module)
    parser.set('mutmut', 'pytest_add_cli_args_test_selection', '\n' + '\n'.join(tests))
    with open(SCRATCH / name / 'setup.cfg', 'w', encoding='utf-8') as out:
        parser.write(out)
    return module


def run_module(name: str, keep: bool) -> dict:
    module, tests = MODULES[name]
    folder = SCRATCH / name
    if folder.exists() and not keep:
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for entry in LINKED:
        link = folder / entry
        if not link.exists():
            link.symlink_to(ROOT / entry, target_is_directory=True)
    scratch_config(name, module, tests)
    mutmut = Path(sys.executable).with_name('mutmut')
    started = time.monotonic()
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE='1')
    subprocess.run([str(mutmut), 'run', '--max-children', '1'], cwd=folder, env=env,
                   stdout=subprocess.DEVNULL, check=False)
    elapsed = time.monotonic() - started
    listing = subprocess.run([str(mutmut), 'results', '--all', 'true'], cwd=folder, env=env, capture_output=True,
                             text=True, check=False).stdout
    (folder / 'results.txt').write_text(listing, encoding='utf-8')
    counts: dict[str, int] = {}
    survivors = []
    for line in listing.splitlines():
        found = re.match(r'\s*(\S+): (.+)$', line)
        if found:
            status = found.group(2).strip()
            counts[status] = counts.get(status, 0) + 1
            if status != 'killed':
                survivors.append(f'{found.group(1)}: {status}')
    total = sum(counts.values())
    killed = counts.get('killed', 0) + counts.get('timeout', 0)
    return {'name': name, 'module': module, 'total': total, 'killed': killed, 'counts': counts,
            'survivors': survivors, 'seconds': elapsed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('names', nargs='*', help='modules to run (default: all)')
    parser.add_argument('--list', action='store_true')
    parser.add_argument('--keep', action='store_true', help='keep earlier results (re-runs only what changed)')
    args = parser.parse_args(argv)
    if args.list:
        for name, (module, tests) in MODULES.items():
            print(f'{name:12} {module:40} {" ".join(tests)}')
        return 0
    unknown = [n for n in args.names if n not in MODULES]
    if unknown:
        parser.error('unknown module: ' + ', '.join(unknown))
    rows = []
    for name in args.names or list(MODULES):
        print(f'== {name}: {MODULES[name][0]}', flush=True)
        row = run_module(name, args.keep)
        for survivor in row['survivors']:
            print('   ' + survivor)
        rows.append(row)
    print(f'\n{"module":12} {"file":40} {"mutants":>7} {"killed":>6} {"score":>6} {"time":>6}')
    for row in rows:
        score = 100.0 * row['killed'] / row['total'] if row['total'] else 0.0
        print(f'{row["name"]:12} {row["module"]:40} {row["total"]:7} {row["killed"]:6} {score:5.1f}% '
              f'{row["seconds"]:5.0f}s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
