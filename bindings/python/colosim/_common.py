"""Small helpers shared by the facade's modules."""
from __future__ import annotations

import os
from typing import Any, Union

PathLike = Union[str, "os.PathLike[str]"]


def _is_path(x: Any) -> bool:
    return isinstance(x, (str, os.PathLike))


def _is_dataframe(x: Any) -> bool:
    return type(x).__name__ == "DataFrame" and hasattr(x, "columns") and hasattr(x, "to_dict")


def option_text(value: Any) -> str:
    """A Python value as the text the CLI and sweep files take: bools as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
