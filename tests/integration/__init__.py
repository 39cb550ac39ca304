"""Integration tests: real Redis and Kafka-protocol servers on loopback ports (tests/servers.py)."""
