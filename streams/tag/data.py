"""The tagger's packaged data files (YAML), read with libyaml where it is installed."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

# libyaml's loader parses the data files ten times faster than the pure-Python one.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_data(name: str) -> Any:
    text = resources.files("streams.tag").joinpath(name).read_text("utf-8")
    return yaml.load(text, Loader=_Loader)
