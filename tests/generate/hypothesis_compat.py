"""Let hypothesis-jsonschema 0.23 run on current Hypothesis.

hypothesis-jsonschema draws object properties with ``cu.many(...).more()``, a private Hypothesis
helper that newer Hypothesis replaced by ``with many(...) as elements: for _ in elements``. This
adapter gives it the old interface on top of the new one; it does nothing where ``more`` exists.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

_END = object()


def patch() -> None:
    """Install the adapter into hypothesis-jsonschema when Hypothesis needs it."""
    import hypothesis_jsonschema._from_schema as strategies
    from hypothesis.internal.conjecture import utils

    namespace = vars(strategies)  # the module's globals: its private ``cu`` is replaced there
    if hasattr(utils.many, "more") or isinstance(namespace["cu"], SimpleNamespace):
        return

    class Many:
        """The old ``many`` interface: ``while elements.more(): ... elements.reject()``."""

        def __init__(self, data: Any, **sizes: Any) -> None:
            self._many = utils.many(data, **sizes)
            self._many.__enter__()
            self._elements = iter(self._many)

        def more(self) -> bool:
            if next(self._elements, _END) is _END:
                self._many.__exit__(None)
                return False
            return True

        def reject(self, why: str | None = None) -> None:
            self._many.reject(why)

    namespace["cu"] = SimpleNamespace(**{**vars(utils), "many": Many})
