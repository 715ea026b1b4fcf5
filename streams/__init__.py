"""wirewatch: a Kafka-native news-intelligence stream processor."""

from streams.native import guard as _guard

__version__ = "0.1.0"

# Before any submodule loads: compiled modules built from older sources must not run.
_guard()
