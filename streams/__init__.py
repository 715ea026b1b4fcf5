"""wirewatch: a Kafka-native news-intelligence stream processor."""

__version__ = "0.1.0"
