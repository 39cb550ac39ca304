"""``opa-contracts diff``: registry-level comparison built on the compatibility engine."""
