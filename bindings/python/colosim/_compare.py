"""compare(): summaries of finished runs side by side, or a comparison grid run like
``colosim compare``."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from ._results import Result, summaries


def _is_results(x: Any) -> bool:
    if isinstance(x, Result):
        return True
    if isinstance(x, Mapping):
        return bool(x) and all(isinstance(v, Result) for v in x.values())
    if isinstance(x, (list, tuple)):
        return bool(x) and all(isinstance(v, Result) for v in x)
    return False


def compare(results: Mapping[str, Result] | Iterable[Result]):
    """Summaries of finished runs side by side (see :func:`colosim.summaries`): one row per
    run, no run dropped (a repeated name is an error)."""
    if isinstance(results, Result):
        results = [results]
    if not _is_results(results):
        raise TypeError("compare() takes a dict {name: Result} or a list of Results")
    return summaries(results)
