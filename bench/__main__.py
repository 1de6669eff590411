"""Run every benchmark script in ``bench/`` (each module with a ``main()``), in name order.

    python -m bench                 # all of them
    python -m bench interactions    # only the named ones
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOT_SCRIPTS = {"common"}


def scripts() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules([str(HERE)])
        if not info.name.startswith("_") and info.name not in NOT_SCRIPTS
    )


def main(argv: list[str] | None = None) -> int:
    wanted = list(sys.argv[1:] if argv is None else argv)
    names = [n for n in scripts() if not wanted or n in wanted]
    unknown = sorted(set(wanted) - set(names))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(scripts())}")
        return 2
    failed: list[str] = []
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        entry = getattr(module, "main", None)
        if not callable(entry):
            continue
        print(f"=== bench.{name} ===", flush=True)
        started = time.monotonic()
        try:
            code = entry([])  # each script at its defaults: its own flags are not ours
        except Exception as exc:
            print(f"bench.{name} failed: {exc!r}", flush=True)
            failed.append(name)
            continue
        if code:
            failed.append(name)
        print(f"=== bench.{name}: {time.monotonic() - started:.1f} s ===\n", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
