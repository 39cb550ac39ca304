"""Every rule that ``validate`` runs, declared once."""

from __future__ import annotations

from opa_contracts.findings import Severity
from opa_contracts.rules.model import Rule

E, W = Severity.ERROR, Severity.WARNING

VALIDATE_RULES: tuple[Rule, ...] = (
    # reading files
    Rule("file-unreadable", "parse", E, "A registry file can be opened and read."),
    Rule(
        "file-too-large",
        "parse",
        E,
        "A manifest stays under the size limit (5 MiB unless limits.max_file_bytes says otherwise).",
    ),
    Rule("file-encoding", "parse", E, "A manifest is UTF-8 text."),
    Rule(
        "registry-irregular-file",
        "parse",
        E,
        "Every registry file is a regular file: no FIFO, socket or device, no symlink leaving the registry or leading nowhere, no git submodule. Such entries are named and never read.",
    ),
    Rule(
        "yaml-syntax",
        "parse",
        E,
        "A manifest is well-formed YAML (no tabs for indentation, one document, known tags only).",
    ),
    Rule(
        "yaml-duplicate-key",
        "parse",
        E,
        "No mapping repeats a key (PyYAML would silently keep the last one).",
    ),
    Rule(
        "yaml-too-large",
        "parse",
        E,
        "Anchors and aliases do not expand a manifest past 200,000 values (no alias bombs).",
    ),
    Rule("yaml-too-deep", "parse", E, "Values nest at most 200 levels deep."),
    Rule(
        "yaml-not-json",
        "parse",
        E,
        "Every value can be represented in JSON: string keys, no NaN or infinity, no binary, no merge keys; integers are exact, up to 4,300 digits.",
    ),
    # registry layout and settings
    Rule(
        "registry-config",
        "manifest",
        E,
        "contracts/registry.yaml matches the registry settings schema.",
    ),
    Rule(
        "registry-stray-file",
        "manifest",
        W,
        "Every YAML file in the registry is a manifest in a channel folder or a known settings file.",
    ),
    Rule("registry-empty", "manifest", W, "The registry holds at least one manifest."),
    # manifest structure
    Rule(
        "manifest-schema",
        "manifest",
        E,
        "A manifest matches the manifest format (src/opa_contracts/schemas/manifest-v1.schema.json).",
    ),
    Rule(
        "manifest-file-name",
        "manifest",
        E,
        "A manifest's file name is its version (contracts/<channel>/<version>.yaml).",
    ),
    Rule(
        "manifest-channel-folder",
        "manifest",
        E,
        "A manifest lives in the folder named after its channel.",
    ),
    Rule(
        "manifest-duplicate-version",
        "manifest",
        E,
        "A channel version is defined by exactly one file (not 1.0.0.yaml and 1.0.0.yml).",
    ),
    Rule(
        "lint-ignore-unused",
        "manifest",
        W,
        "Every lint.ignore entry in a manifest silences at least one finding.",
    ),
    # payload schema
    Rule(
        "schema-dialect-unknown",
        "schema",
        E,
        "The payload schema's $schema names a JSON Schema dialect the tool knows (draft-04, -06, -07, 2019-09, 2020-12).",
    ),
    Rule(
        "schema-dialect-missing",
        "schema",
        W,
        "The payload schema declares its dialect with $schema (draft-07 is assumed otherwise).",
    ),
    Rule(
        "schema-invalid",
        "schema",
        E,
        "The payload schema is valid against its dialect's metaschema.",
    ),
    Rule(
        "schema-unknown-keyword",
        "schema",
        W,
        "Every keyword in a payload schema is one its dialect defines; validators ignore the others (typos like minLenght, OpenAPI's nullable, prefixItems in draft-07). Extensions are named x-...",
    ),
    Rule(
        "ref-remote",
        "schema",
        E,
        "No $ref points at the network; remote references are never fetched.",
    ),
    Rule(
        "ref-outside-registry",
        "schema",
        E,
        "A $ref to another file stays inside the registry folder.",
    ),
    Rule(
        "ref-unresolvable", "schema", E, "Every $ref resolves to an existing file and JSON pointer."
    ),
    Rule(
        "ref-cycle",
        "schema",
        E,
        "No $ref chain loops back on itself without passing through a keyword that consumes input.",
    ),
    # examples
    Rule(
        "example-invalid",
        "example",
        E,
        "Every example validates against the payload schema (formats checked; date-time is RFC 3339).",
    ),
    Rule(
        "invalid-example-accepted",
        "example",
        E,
        "Every invalid example is rejected by the payload schema.",
    ),
    Rule(
        "invalid-example-wrong-reason",
        "example",
        E,
        "An invalid example with fails_at/keyword is rejected at that place, by that keyword.",
    ),
    Rule("example-missing", "example", W, "A manifest carries at least one example."),
    # lint
    Rule(
        "channel-name",
        "lint",
        E,
        "Channel names match the registry's naming rule (default: dot-separated lowercase words).",
        configurable=True,
    ),
    Rule(
        "service-name",
        "lint",
        E,
        "Publisher and subscriber service names match the naming rule (default ^opa-[a-z-]+$); external systems are exempt.",
        configurable=True,
    ),
    Rule(
        "property-description", "lint", W, "Every property of the payload schema has a description."
    ),
    Rule(
        "kafka-key-property",
        "lint",
        E,
        "The Kafka key names a required property of type string (or integer) at the payload's top level.",
    ),
    Rule(
        "redis-channel-name",
        "lint",
        W,
        "The Redis channel equals the channel name, so subscribers find it where the contract says.",
    ),
    Rule(
        "text-mojibake",
        "lint",
        E,
        "No text looks mis-encoded (UTF-8 read as Mac Roman or Windows-1252, e.g. 'Versi√≥n' for 'Versión').",
    ),
)

# Kafka migration guard (the topic plan checked before the move)
VALIDATE_RULES += (
    Rule(
        "kafka-major-shares-topic",
        "migration",
        W,
        "A new major version does not share a retained or compacted topic with an older major: its consumers would replay messages that break them.",
    ),
    Rule(
        "kafka-topic-name",
        "migration",
        E,
        "A Kafka topic follows the registry's naming rule (naming.kafka_topic, default opa.{channel}; a major version may add .v<major>).",
        configurable=True,
    ),
    Rule(
        "kafka-compacted-without-key",
        "migration",
        E,
        "A compacted topic has a key: compaction keeps the last message per key.",
    ),
    Rule(
        "kafka-compaction-mode",
        "migration",
        W,
        "A compacted topic uses FULL_TRANSITIVE: its last message per key stays forever, read by every future version.",
    ),
    Rule(
        "kafka-retention-mode",
        "migration",
        W,
        "A topic with retention uses a transitive mode (BACKWARD_TRANSITIVE or FULL_TRANSITIVE): new consumers replay messages of older versions.",
    ),
    Rule(
        "kafka-mapping-missing",
        "migration",
        W,
        "Once registry.yaml declares the Kafka migration, every live channel declares its topic.",
    ),
)

N = Severity.NOTE

# rules of ``diff`` about the registry itself (the schema rules live in compat/rules.py)
VERSIONING_RULES: tuple[Rule, ...] = (
    Rule(
        "channel-added",
        "versioning",
        N,
        "A channel appears that the base did not have; its subscribers start reading it.",
    ),
    Rule(
        "channel-removed",
        "versioning",
        E,
        "A channel disappears; its subscribers lose it. Accept it, or deprecate and retire the channel first.",
    ),
    Rule(
        "version-removed",
        "versioning",
        E,
        "A released version file disappears; history (and transitive checks) need it.",
    ),
    Rule(
        "released-version-modified",
        "versioning",
        E,
        "A released (non-draft) version file is edited in place; publish a new version instead. Only `status` may change.",
    ),
    Rule(
        "diff-nothing-to-compare",
        "versioning",
        W,
        "A diff has manifests to compare; with --against (or --fail-on-empty) an empty comparison exits 1, so a mistyped path or ref cannot pass a gate.",
    ),
    Rule(
        "diff-other-channel",
        "versioning",
        W,
        "Two manifests compared file to file declare the same channel (comparing two different channels is allowed, and said).",
    ),
    Rule(
        "compatibility-weakened",
        "versioning",
        W,
        "A new version does not weaken its channel's compatibility mode or open-content policy in the same change; the change is judged under the stronger of the two.",
    ),
    Rule(
        "major-version-required",
        "versioning",
        E,
        "A change that breaks the channel's compatibility mode needs a new major version.",
    ),
    Rule(
        "minor-version-required",
        "versioning",
        E,
        "A compatible schema change needs at least a minor version bump (a patch may change only annotations).",
    ),
    Rule(
        "version-order",
        "versioning",
        E,
        "A new version is added above the released versions of its channel, not below them.",
    ),
    Rule(
        "schema-uncomparable",
        "versioning",
        E,
        "Both schemas can be read and compared (no unresolvable or remote $ref); otherwise the pair counts as breaking.",
    ),
    Rule(
        "schema-too-large-to-compare",
        "versioning",
        E,
        "Two schemas are small enough for the engine to compare (a bounded number of keyword comparisons per pair); past the bound the pair is reported unverifiable and counts as breaking.",
    ),
    Rule(
        "accepted-change-expired",
        "versioning",
        W,
        "An accepted change past its expiry date no longer excuses the break.",
    ),
    Rule(
        "accepted-change-unused",
        "versioning",
        W,
        "Every accepted change matches a change of a channel the diff compared.",
    ),
    Rule(
        "accepted-changes-invalid",
        "versioning",
        E,
        "contracts/accepted-changes.yaml matches its schema.",
    ),
    Rule(
        "diff-input-unreadable",
        "versioning",
        E,
        "Every manifest on both sides of a diff can be read.",
    ),
)

# rules of ``generate`` about its output folders; the emitter (generate/run.py) holds these objects
GENERATE_STALE = Rule(
    "generate-stale",
    "generate",
    E,
    "A generated output folder holds exactly what its target generates: a missing, changed or extra file is stale (generate --check exits 1). The message names the command that regenerates it.",
)
GENERATE_OUTPUT_REFUSED = Rule(
    "generate-output-refused",
    "generate",
    E,
    "Generation writes only into a folder it owns (new, empty, or holding the .opa-contracts-generated marker) and outside the registry it reads, so a mistyped --out deletes nothing and generated files never become registry files (exit 2).",
)
GENERATE_FAILED = Rule(
    "generate-failed",
    "generate",
    E,
    "A target can be generated: every manifest it reads is usable (readable, a channel, a version, a schema that compiles) and its options are valid (exit 3).",
)
GENERATE_OUTPUT_IO = Rule(
    "generate-output-io",
    "generate",
    E,
    "Generated files can be written (and, under --check, read): a full disk, a read-only folder, a missing permission or a folder in the way is reported with the path and the OS reason (exit 3). Each file is replaced atomically, so a failed write leaves the previous file whole.",
)
GENERATE_RULES: tuple[Rule, ...] = (
    GENERATE_STALE,
    GENERATE_OUTPUT_REFUSED,
    GENERATE_FAILED,
    GENERATE_OUTPUT_IO,
)
