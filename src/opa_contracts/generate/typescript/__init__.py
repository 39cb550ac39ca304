"""The ``typescript`` target: an ESM npm package of typed messages with ahead-of-time validators."""
