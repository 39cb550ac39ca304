"""``opa-contracts doctor redis|kafka``: check running servers against the registry, read-only.

Registered by ``cli.py`` as ``app.add_typer(doctor_app, name="doctor")``. The checks live in
``doctor/``; their findings are a :class:`~opa_contracts.findings.Report` written in any
``--format``. Exit codes as for ``validate``: 0 nothing at or above ``--fail-on``; 1 findings at
or above it; 2 a usage error (URL and --env both or neither, an unknown environment, a secret
variable not set); 3 a registry that cannot be read, or a server that cannot be reached (refused
connection, refused credentials, a TLS failure).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from opa_contracts.cli_report import (
    Color,
    ColorOption,
    FailOn,
    FormatOption,
    OutputFormat,
    OutputOption,
    choice,
    emit,
    fail,
    listed,
)
from opa_contracts.exitcodes import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from opa_contracts.findings import Report
    from opa_contracts.generate.contracts import Sources
    from opa_contracts.settings import Environment, Settings

doctor_app = typer.Typer(
    help="Check running servers (Redis, Kafka) against the registry's environments and "
    "requirements, read-only.",
    short_help="Check running Redis and Kafka servers against the registry.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_Env = Annotated[
    str | None,
    typer.Option(
        "--env",
        metavar="NAME",
        help="An environment of registry.yaml (its URL, password and TLS variables).",
        show_default=False,
    ),
]
_Registry = Annotated[
    Path,
    typer.Option("--registry", metavar="PATH", help="The registry folder (registry.yaml)."),
]
_FailOn = Annotated[
    FailOn,
    typer.Option(
        metavar="SEVERITY",
        parser=choice(FailOn),
        help=f"Lowest severity that makes the exit code 1: {listed(FailOn)}.",
    ),
]
_Variable = Annotated[
    str | None,
    typer.Option(metavar="VARIABLE", show_default=False),
]


@doctor_app.command("redis", short_help="Check a Redis server against requirements.redis.")
def redis_command(
    url: Annotated[
        str | None,
        typer.Argument(
            metavar="[URL]",
            help="redis:// or rediss:// URL (or give --env).",
            show_default=False,
        ),
    ] = None,
    env: _Env = None,
    registry: _Registry = Path("contracts"),
    password_env: Annotated[
        str | None,
        typer.Option(
            metavar="VARIABLE",
            help="With URL: the environment variable holding the password.",
            show_default=False,
        ),
    ] = None,
    user_env: Annotated[
        str | None,
        typer.Option(
            metavar="VARIABLE",
            help="With URL: the environment variable holding the ACL user name.",
            show_default=False,
        ),
    ] = None,
    ca_file: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="With URL: the CA certificate file for TLS."),
    ] = None,
    cert_file: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="With URL: the client certificate file for TLS."),
    ] = None,
    key_file: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="With URL: the client key file for TLS."),
    ] = None,
    output_format: FormatOption = OutputFormat.text,
    fail_on: _FailOn = FailOn.error,
    color: ColorOption = Color.auto,
    output: OutputOption = None,
) -> None:
    """Check a Redis server against the registry: version, memory policy and limit, timeouts,
    the Pub/Sub output buffer at the declared throughput, AUTH and TLS. Read-only (INFO, CONFIG
    GET, PING); each difference comes with the CONFIG SET command and redis.conf line to fix it."""
    from opa_contracts.doctor import DoctorError
    from opa_contracts.doctor.redis_check import RedisTarget, check

    settings, sources = _registry(registry)
    environment = _environment(settings, url, env)
    connection: dict[str, Any] = {}
    if environment is not None:
        if environment.redis is None:
            fail(f"environment {environment.name!r} declares no Redis", EXIT_USAGE)
        endpoint = environment.redis
        target_url = endpoint.url
        if endpoint.tls and target_url.startswith("redis://"):
            target_url = "rediss://" + target_url[len("redis://") :]
        variables = {
            "password": endpoint.password_env,
            "username": endpoint.username_env,
            "ssl_ca_certs": endpoint.ca_file_env,
            "ssl_certfile": endpoint.cert_file_env,
            "ssl_keyfile": endpoint.key_file_env,
        }
        connection = {k: _variable(v) for k, v in variables.items() if v is not None}
    else:
        assert url is not None
        target_url = url
        for option, variable in (("password", password_env), ("username", user_env)):
            if variable is not None:
                connection[option] = _variable(variable)
        for option, path in (
            ("ssl_ca_certs", ca_file),
            ("ssl_certfile", cert_file),
            ("ssl_keyfile", key_file),
        ):
            if path is not None:
                connection[option] = str(path)
    try:
        report = check(RedisTarget(target_url, connection, environment), settings, sources)
    except DoctorError as exc:
        fail(str(exc), EXIT_INPUT)
    _finish(report, output_format, fail_on, color, output)


@doctor_app.command("kafka", short_help="Check Kafka topics against the Kafka plan.")
def kafka_command(
    bootstrap: Annotated[
        str | None,
        typer.Argument(
            metavar="[BOOTSTRAP]",
            help="host:port of the brokers (or give --env).",
            show_default=False,
        ),
    ] = None,
    env: _Env = None,
    registry: _Registry = Path("contracts"),
    output_format: FormatOption = OutputFormat.text,
    fail_on: _FailOn = FailOn.error,
    color: ColorOption = Color.auto,
    output: OutputOption = None,
) -> None:
    """Check that every topic of the Kafka plan (`generate kafka`) exists with the planned
    partitions, retention and cleanup policy. Read-only (metadata and DescribeConfigs)."""
    from opa_contracts.doctor import DoctorError
    from opa_contracts.doctor.kafka_check import check

    settings, sources = _registry(registry)
    environment = _environment(settings, bootstrap, env)
    if environment is not None:
        if environment.kafka is None:
            fail(f"environment {environment.name!r} declares no Kafka", EXIT_USAGE)
        endpoint = environment.kafka
        config = {
            "bootstrap.servers": endpoint.bootstrap,
            "security.protocol": endpoint.security_protocol,
        }
        if endpoint.sasl_mechanism is not None:
            config["sasl.mechanism"] = endpoint.sasl_mechanism
        for option, variable in (
            ("sasl.username", endpoint.username_env),
            ("sasl.password", endpoint.password_env),
            ("ssl.ca.location", endpoint.ca_file_env),
        ):
            if variable is not None:
                config[option] = _variable(variable)
    else:
        assert bootstrap is not None
        config = {"bootstrap.servers": bootstrap}
    if sources is None:
        fail(
            f"{registry}: the manifests cannot be read into a Kafka plan; run "
            "`opa-contracts validate` first",
            EXIT_INPUT,
        )
    try:
        report = check(config, settings, sources, Path.cwd())
    except DoctorError as exc:
        fail(str(exc), EXIT_INPUT)
    _finish(report, output_format, fail_on, color, output)


def _registry(path: Path) -> tuple[Settings, Sources | None]:
    """The registry's settings, and its channels (None when a manifest is unusable)."""
    from opa_contracts import loader
    from opa_contracts.errors import InputError
    from opa_contracts.generate.contracts import collect

    try:
        registry = loader.load(path)
    except InputError as exc:
        fail(str(exc), EXIT_INPUT)
    try:
        return registry.settings, collect(registry)
    except InputError:  # GenerateError: validate names each problem
        return registry.settings, None


def _environment(settings: Settings, where: str | None, name: str | None) -> Environment | None:
    if (where is None) == (name is None):
        fail("give a server address or --env NAME (one of them)", EXIT_USAGE)
    if name is None:
        return None
    found = settings.environment(name)
    if found is None:
        known = ", ".join(e.name for e in settings.environments) or "none declared"
        fail(f"unknown environment {name!r} (registry.yaml: {known})", EXIT_USAGE)
    return found


def _variable(name: str) -> str:
    value = os.environ.get(name)
    if value is None:
        fail(f"environment variable {name} is not set", EXIT_USAGE)
    return value


def _finish(
    report: Report, output_format: OutputFormat, fail_on: FailOn, color: Color, output: Path | None
) -> None:
    from opa_contracts.findings import Severity

    emit(report, output_format.value, color, output)
    threshold = Severity(fail_on.value)
    raise typer.Exit(EXIT_FINDINGS if report.at_least(threshold) else EXIT_OK)
