"""``colosim compare --dask ADDRESS``: the CLI resolves and checks the spec, then hands it to this
module (``python -m colosim._dask_main``), which runs the grid on Dask with colosim.compare() and
writes runs.csv and summary.json. A module of its own so that the task functions sent to the
workers are colosim._compare's, which workers can import, not __main__'s."""
from __future__ import annotations

import sys
from typing import Sequence

from colosim import Error, _compare


def _main(argv: Sequence[str] | None = None) -> int:
    """``colosim compare --dask ADDRESS`` hands the resolved spec to this entry point, which runs
    the grid on Dask and writes runs.csv and summary.json."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m colosim._dask_main")
    p.add_argument("--dask", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--jobs", type=int)
    p.add_argument("--trace", required=True)
    p.add_argument("--trace-format", default="")
    p.add_argument("--vary", default="")
    p.add_argument("--allow-empty", action="store_true")
    p.add_argument("--cluster", action="append", default=[])
    p.add_argument("--policy", action="append", default=[])
    p.add_argument("--seeds", default="1")
    p.add_argument("--loads", default="1")
    p.add_argument("--interference", default="none")
    p.add_argument("--baseline", default="")
    p.add_argument("--option", action="append", default=[], help="KEY=VALUE")
    a = p.parse_args(argv)
    options = dict(o.split("=", 1) for o in a.option)
    try:
        result = _compare.compare(trace=a.trace, trace_format=a.trace_format, vary=a.vary, allow_empty=a.allow_empty,
                                  clusters=a.cluster, policies=a.policy, seeds=a.seeds, loads=a.loads,
                                  interference=a.interference, baseline=a.baseline, jobs=a.jobs, client=a.dask, **options)
    except (Error, OSError, ImportError) as error:  # bad input, no scheduler there, no Dask
        print(f"colosim compare --dask: {error}", file=sys.stderr)
        return 1
    result.write(a.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
