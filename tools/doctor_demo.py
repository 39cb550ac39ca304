"""``make demo``'s last step: start a Redis on loopback (the suite's test server, tests/servers.py)
and run ``opa-contracts doctor redis`` against it, so the findings of a stock configuration show
what differs from the registry's ``requirements.redis``. Findings are printed, never a failure:
this exits non-zero only when doctor itself could not run (exit code 2 or more).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import RedisServer  # noqa: E402 - the path is set up above


def main() -> int:
    with RedisServer() as server:
        found = re.search(r"v=(\S+)", server.version())
        version = found[1] if found else server.version()
        print(f"doctor redis against a stock Redis {version} on {server.url}:", flush=True)
        run = subprocess.run(
            [str(Path(sys.executable).parent / "opa-contracts"), "doctor", "redis", server.url],
            cwd=ROOT,
            check=False,
        )
    if run.returncode >= 2:
        return run.returncode
    print(f"(doctor exit code {run.returncode}: 1 means findings at or above --fail-on)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
