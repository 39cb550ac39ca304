"""Every rule that ``validate`` runs, declared once."""

from __future__ import annotations

from opa_contracts.findings import Severity
from opa_contracts.rules.model import Rule

E, W = Severity.ERROR, Severity.WARNING

FILE_UNREADABLE = Rule("file-unreadable", "parse", E, "A registry file can be opened and read.")

FILE_TOO_LARGE = Rule(
    "file-too-large",
    "parse",
    E,
    "A manifest stays under the size limit (5 MiB unless limits.max_file_bytes says otherwise).",
)

FILE_ENCODING = Rule("file-encoding", "parse", E, "A manifest is UTF-8 text.")

REGISTRY_IRREGULAR_FILE = Rule(
    "registry-irregular-file",
    "parse",
    E,
    "Every registry file is a regular file: no FIFO, socket or device, no symlink leaving the registry or leading nowhere, no git submodule. Such entries are named and never read.",
)

YAML_SYNTAX = Rule(
    "yaml-syntax",
    "parse",
    E,
    "A manifest is well-formed YAML (no tabs for indentation, one document, known tags only).",
)

YAML_DUPLICATE_KEY = Rule(
    "yaml-duplicate-key",
    "parse",
    E,
    "No mapping repeats a key (PyYAML would silently keep the last one).",
)

YAML_TOO_LARGE = Rule(
    "yaml-too-large",
    "parse",
    E,
    "Anchors and aliases do not expand a manifest past 200,000 values (no alias bombs).",
)

YAML_TOO_DEEP = Rule("yaml-too-deep", "parse", E, "Values nest at most 200 levels deep.")

YAML_NOT_JSON = Rule(
    "yaml-not-json",
    "parse",
    E,
    "Every value can be represented in JSON: string keys, no NaN or infinity, no merge keys, `!!binary` only as exact base64 (read as its base64 text); integers are exact, up to 4,300 digits.",
)

REGISTRY_CONFIG = Rule(
    "registry-config",
    "manifest",
    E,
    "contracts/registry.yaml matches the registry settings schema.",
)

REGISTRY_STRAY_FILE = Rule(
    "registry-stray-file",
    "manifest",
    W,
    "Every YAML file in the registry is a manifest in a channel folder or a known settings file.",
)

REGISTRY_EMPTY = Rule("registry-empty", "manifest", W, "The registry holds at least one manifest.")

MANIFEST_SCHEMA = Rule(
    "manifest-schema",
    "manifest",
    E,
    "A manifest matches the manifest format (src/opa_contracts/schemas/manifest-v1.schema.json).",
)

MANIFEST_FILE_NAME = Rule(
    "manifest-file-name",
    "manifest",
    E,
    "A manifest's file name is its version (contracts/<channel>/<version>.yaml).",
)

MANIFEST_CHANNEL_FOLDER = Rule(
    "manifest-channel-folder",
    "manifest",
    E,
    "A manifest lives in the folder named after its channel.",
)

MANIFEST_DUPLICATE_VERSION = Rule(
    "manifest-duplicate-version",
    "manifest",
    E,
    "A channel version is defined by exactly one file (not 1.0.0.yaml and 1.0.0.yml).",
)

LINT_IGNORE_UNUSED = Rule(
    "lint-ignore-unused",
    "manifest",
    W,
    "Every lint.ignore entry in a manifest silences at least one finding.",
)

SCHEMA_DIALECT_UNKNOWN = Rule(
    "schema-dialect-unknown",
    "schema",
    E,
    "The payload schema's $schema names a JSON Schema dialect the tool knows (draft-04, -06, -07, 2019-09, 2020-12).",
)

SCHEMA_DIALECT_MISSING = Rule(
    "schema-dialect-missing",
    "schema",
    W,
    "The payload schema declares its dialect with $schema (draft-07 is assumed otherwise).",
)

SCHEMA_INVALID = Rule(
    "schema-invalid",
    "schema",
    E,
    "The payload schema is valid against its dialect's metaschema.",
)

SCHEMA_UNKNOWN_KEYWORD = Rule(
    "schema-unknown-keyword",
    "schema",
    W,
    "Every keyword in a payload schema is one its dialect defines; validators ignore the others (typos like minLenght, OpenAPI's nullable, prefixItems in draft-07). Extensions are named x-...",
)

REF_REMOTE = Rule(
    "ref-remote",
    "schema",
    E,
    "No $ref points at the network; remote references are never fetched.",
)

REF_OUTSIDE_REGISTRY = Rule(
    "ref-outside-registry",
    "schema",
    E,
    "A $ref to another file stays inside the registry folder.",
)

REF_UNRESOLVABLE = Rule(
    "ref-unresolvable", "schema", E, "Every $ref resolves to an existing file and JSON pointer."
)

REF_CYCLE = Rule(
    "ref-cycle",
    "schema",
    E,
    "No $ref chain loops back on itself without passing through a keyword that consumes input.",
)

EXAMPLE_INVALID = Rule(
    "example-invalid",
    "example",
    E,
    "Every example validates against the payload schema (formats checked; date-time is RFC 3339).",
)

EXAMPLE_KEY_INVALID = Rule(
    "example-key-invalid",
    "example",
    E,
    "When the Kafka key has a schema of its own (transports.kafka.key.schema), every example carries a key that validates against it.",
)

EXAMPLE_KEY_UNEXPECTED = Rule(
    "example-key-unexpected",
    "example",
    E,
    "An example carries a key only when the Kafka key has a schema of its own; a key named by a payload property is read from the payload.",
)

INVALID_EXAMPLE_ACCEPTED = Rule(
    "invalid-example-accepted",
    "example",
    E,
    "Every invalid example is rejected by the payload schema (or, when the Kafka key has a schema, its key by the key schema).",
)

INVALID_EXAMPLE_WRONG_REASON = Rule(
    "invalid-example-wrong-reason",
    "example",
    E,
    "An invalid example with fails_at/keyword is rejected at that place, by that keyword.",
)

EXAMPLE_MISSING = Rule("example-missing", "example", W, "A manifest carries at least one example.")

CHANNEL_NAME = Rule(
    "channel-name",
    "lint",
    E,
    "Channel names match the registry's naming rule (default: dot-separated lowercase words).",
    configurable=True,
)

SERVICE_NAME = Rule(
    "service-name",
    "lint",
    E,
    "Publisher and subscriber service names match the naming rule (default ^opa-[a-z-]+$); external systems are exempt.",
    configurable=True,
)

PROPERTY_DESCRIPTION = Rule(
    "property-description", "lint", W, "Every property of the payload schema has a description."
)

KAFKA_KEY_PROPERTY = Rule(
    "kafka-key-property",
    "lint",
    E,
    "The Kafka key names a required property of type string (or integer) at the payload's top level.",
)

REDIS_CHANNEL_NAME = Rule(
    "redis-channel-name",
    "lint",
    W,
    "The Redis channel equals the channel name, so subscribers find it where the contract says.",
)

TEXT_MOJIBAKE = Rule(
    "text-mojibake",
    "lint",
    E,
    "No text looks mis-encoded (UTF-8 read as Mac Roman or Windows-1252, e.g. 'Versi√≥n' for 'Versión').",
)

SCHEMA_ACCEPTS_ANYTHING = Rule(
    "schema-accepts-anything",
    "lint",
    W,
    "The payload schema constrains something: a root of true, {} or only annotations (title, description, $defs...) with no assertion or applicator keyword accepts any JSON value, so the contract promises nothing.",
)

READS_PATH_MISSING = Rule(
    "reads-path-missing",
    "manifest",
    E,
    "Every place a subscriber declares it reads (subscribers[].reads) exists in the payload schema of that version (followed through $ref, allOf, oneOf, anyOf).",
)

READS_WILDCARD_NOT_COLLECTION = Rule(
    "reads-wildcard-not-collection",
    "manifest",
    E,
    "A `*` in a declared read stands where the schema has an array or a map (items, additionalProperties, patternProperties), not over a string, a number or a plain object.",
)

READS_NOT_GUARANTEED = Rule(
    "reads-not-guaranteed",
    "manifest",
    W,
    "A subscriber reads only fields the schema guarantees: required all the way down and never null; otherwise it declares present: false (it copes with their absence).",
)

READS_REQUIREMENT_UNMET = Rule(
    "reads-requirement-unmet",
    "manifest",
    W,
    "The schema allows at a declared read only the types and values the subscriber says it handles (its type and enum).",
)

VALIDATE_RULES: tuple[Rule, ...] = (
    FILE_UNREADABLE,
    FILE_TOO_LARGE,
    FILE_ENCODING,
    REGISTRY_IRREGULAR_FILE,
    YAML_SYNTAX,
    YAML_DUPLICATE_KEY,
    YAML_TOO_LARGE,
    YAML_TOO_DEEP,
    YAML_NOT_JSON,
    REGISTRY_CONFIG,
    REGISTRY_STRAY_FILE,
    REGISTRY_EMPTY,
    MANIFEST_SCHEMA,
    MANIFEST_FILE_NAME,
    MANIFEST_CHANNEL_FOLDER,
    MANIFEST_DUPLICATE_VERSION,
    LINT_IGNORE_UNUSED,
    SCHEMA_DIALECT_UNKNOWN,
    SCHEMA_DIALECT_MISSING,
    SCHEMA_INVALID,
    SCHEMA_UNKNOWN_KEYWORD,
    REF_REMOTE,
    REF_OUTSIDE_REGISTRY,
    REF_UNRESOLVABLE,
    REF_CYCLE,
    EXAMPLE_INVALID,
    EXAMPLE_KEY_INVALID,
    EXAMPLE_KEY_UNEXPECTED,
    INVALID_EXAMPLE_ACCEPTED,
    INVALID_EXAMPLE_WRONG_REASON,
    EXAMPLE_MISSING,
    CHANNEL_NAME,
    SERVICE_NAME,
    PROPERTY_DESCRIPTION,
    KAFKA_KEY_PROPERTY,
    REDIS_CHANNEL_NAME,
    TEXT_MOJIBAKE,
    SCHEMA_ACCEPTS_ANYTHING,
    READS_PATH_MISSING,
    READS_WILDCARD_NOT_COLLECTION,
    READS_NOT_GUARANTEED,
    READS_REQUIREMENT_UNMET,
)

# Kafka migration guard (the topic plan checked before the move)
KAFKA_MAJOR_SHARES_TOPIC = Rule(
    "kafka-major-shares-topic",
    "migration",
    W,
    "A new major version does not share a retained or compacted topic with an older major: its consumers would replay messages that break them.",
)

KAFKA_TOPIC_NAME = Rule(
    "kafka-topic-name",
    "migration",
    E,
    "A Kafka topic follows the registry's naming rule (naming.kafka_topic, default opa.{channel}; a major version may add .v<major>).",
    configurable=True,
)

KAFKA_COMPACTED_WITHOUT_KEY = Rule(
    "kafka-compacted-without-key",
    "migration",
    E,
    "A compacted topic has a key (a payload property or a key schema of its own): compaction keeps the last message per key.",
)

KAFKA_COMPACTION_MODE = Rule(
    "kafka-compaction-mode",
    "migration",
    W,
    "A compacted topic uses FULL_TRANSITIVE: its last message per key stays forever, read by every future version.",
)

KAFKA_RETENTION_MODE = Rule(
    "kafka-retention-mode",
    "migration",
    W,
    "A topic with retention uses a transitive mode (BACKWARD_TRANSITIVE or FULL_TRANSITIVE): new consumers replay messages of older versions.",
)

KAFKA_MAPPING_MISSING = Rule(
    "kafka-mapping-missing",
    "migration",
    W,
    "Once registry.yaml declares the Kafka migration, every live channel declares its topic.",
)

KAFKA_CONFIG_UNKNOWN = Rule(
    "kafka-config-unknown",
    "migration",
    E,
    "Every name under transports.kafka.config is a topic-level config Kafka documents (a typo is named, with the nearest names).",
)

KAFKA_CONFIG_VALUE = Rule(
    "kafka-config-value",
    "migration",
    E,
    "Every Kafka topic config has a value of its type within its range (durations such as 7d and sizes such as 25MiB where the config counts milliseconds or bytes).",
)

KAFKA_CONFIG_DUPLICATE = Rule(
    "kafka-config-duplicate",
    "migration",
    E,
    "A topic config is given once: not both as transports.kafka.retention (or cleanup_policy) and under config.",
)

VALIDATE_RULES += (
    KAFKA_MAJOR_SHARES_TOPIC,
    KAFKA_TOPIC_NAME,
    KAFKA_COMPACTED_WITHOUT_KEY,
    KAFKA_COMPACTION_MODE,
    KAFKA_RETENTION_MODE,
    KAFKA_MAPPING_MISSING,
    KAFKA_CONFIG_UNKNOWN,
    KAFKA_CONFIG_VALUE,
    KAFKA_CONFIG_DUPLICATE,
)

N = Severity.NOTE

# rules of ``diff`` about the registry itself (the schema rules live in compat/rules.py)
CHANNEL_ADDED = Rule(
    "channel-added",
    "versioning",
    N,
    "A channel appears that the base did not have; its subscribers start reading it.",
)

CHANNEL_REMOVED = Rule(
    "channel-removed",
    "versioning",
    E,
    "A channel disappears; its subscribers lose it. Accept it, or deprecate and retire the channel first.",
)

VERSION_REMOVED = Rule(
    "version-removed",
    "versioning",
    E,
    "A released version file disappears; history (and transitive checks) need it.",
)

RELEASED_VERSION_MODIFIED = Rule(
    "released-version-modified",
    "versioning",
    E,
    "A released (non-draft) version file is edited in place; publish a new version instead. Only `status` may change.",
)

DIFF_NOTHING_TO_COMPARE = Rule(
    "diff-nothing-to-compare",
    "versioning",
    W,
    "A diff has manifests to compare; with --against (or --fail-on-empty) an empty comparison exits 1, so a mistyped path or ref cannot pass a gate.",
)

DIFF_OTHER_CHANNEL = Rule(
    "diff-other-channel",
    "versioning",
    W,
    "Two manifests compared file to file declare the same channel (comparing two different channels is allowed, and said).",
)

COMPATIBILITY_WEAKENED = Rule(
    "compatibility-weakened",
    "versioning",
    W,
    "A new version does not weaken its channel's compatibility mode or open-content policy in the same change; the change is judged under the stronger of the two.",
)

MAJOR_VERSION_REQUIRED = Rule(
    "major-version-required",
    "versioning",
    E,
    "A change that breaks the channel's compatibility mode needs a new major version.",
)

MINOR_VERSION_REQUIRED = Rule(
    "minor-version-required",
    "versioning",
    E,
    "A compatible schema change needs at least a minor version bump (a patch may change only annotations).",
)

VERSION_ORDER = Rule(
    "version-order",
    "versioning",
    E,
    "A new version is added above the released versions of its channel, not below them.",
)

SCHEMA_UNCOMPARABLE = Rule(
    "schema-uncomparable",
    "versioning",
    E,
    "Both schemas can be read and compared (no unresolvable or remote $ref); otherwise the pair counts as breaking.",
)

SCHEMA_TOO_LARGE_TO_COMPARE = Rule(
    "schema-too-large-to-compare",
    "versioning",
    E,
    "Two schemas are small enough for the engine to compare (a bounded number of keyword comparisons per pair); past the bound the pair is reported unknown and counts as breaking.",
)

VERDICT_UNKNOWN = Rule(
    "verdict-unknown",
    "versioning",
    E,
    "Every change a mode protects against is settled: broken (a verified witness message) or compatible (a proof); a change left unknown counts as breaking unless `diff --unknown warning` (or this rule set to warning) makes it a warning. The finding keeps the change's own rule id.",
)

ACCEPTED_CHANGE_EXPIRED = Rule(
    "accepted-change-expired",
    "versioning",
    W,
    "An accepted change past its expiry date no longer excuses the break.",
)

ACCEPTED_CHANGE_UNUSED = Rule(
    "accepted-change-unused",
    "versioning",
    W,
    "Every accepted change matches a change of a channel the diff compared.",
)

ACCEPTED_CHANGES_INVALID = Rule(
    "accepted-changes-invalid",
    "versioning",
    E,
    "contracts/accepted-changes.yaml matches its schema.",
)

DIFF_INPUT_UNREADABLE = Rule(
    "diff-input-unreadable",
    "versioning",
    E,
    "Every manifest on both sides of a diff can be read.",
)

VERSIONING_RULES: tuple[Rule, ...] = (
    CHANNEL_ADDED,
    CHANNEL_REMOVED,
    VERSION_REMOVED,
    RELEASED_VERSION_MODIFIED,
    DIFF_NOTHING_TO_COMPARE,
    DIFF_OTHER_CHANNEL,
    COMPATIBILITY_WEAKENED,
    MAJOR_VERSION_REQUIRED,
    MINOR_VERSION_REQUIRED,
    VERSION_ORDER,
    SCHEMA_UNCOMPARABLE,
    SCHEMA_TOO_LARGE_TO_COMPARE,
    VERDICT_UNKNOWN,
    ACCEPTED_CHANGE_EXPIRED,
    ACCEPTED_CHANGE_UNUSED,
    ACCEPTED_CHANGES_INVALID,
    DIFF_INPUT_UNREADABLE,
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

# rules of ``import`` about the source it reads and the registry it writes (importing/)
IMPORT_SOURCE_INVALID = Rule(
    "import-source-invalid",
    "import",
    E,
    "The source of `import` can be used: an AsyncAPI 2.6 or 3.0 document (YAML or JSON), or a folder of JSON Schema files with a valid mapping file; every $ref stays inside the source (a remote one is never fetched) and resolves. Nothing is written (exit 3).",
)
IMPORT_FACT_LOST = Rule(
    "import-fact-lost",
    "import",
    W,
    "Every fact of the imported source has a place in the registry. One that has none (a security scheme, message headers, a correlation id, channel parameters, a non-JSON payload format...) is named here, with where it was, so nothing is dropped silently.",
)
IMPORT_FACT_CHANGED = Rule(
    "import-fact-changed",
    "import",
    Severity.NOTE,
    "A fact of the source is kept in another form: a channel name made a folder name, several messages of one channel joined in an anyOf, message traits merged, a publisher nobody declared, a schema whose dialect generate had converted.",
)
IMPORT_OUTPUT_REFUSED = Rule(
    "import-output-refused",
    "import",
    E,
    "`import` never replaces an existing file unless --force, and never writes over its own source, even with --force. Nothing is written (exit 2).",
)
IMPORT_RULES: tuple[Rule, ...] = (
    IMPORT_SOURCE_INVALID,
    IMPORT_FACT_LOST,
    IMPORT_FACT_CHANGED,
    IMPORT_OUTPUT_REFUSED,
)

# rules of ``doctor``: a running server checked against registry.yaml's environments and
# requirements (doctor/)
_N = Severity.NOTE
DOCTOR_CANNOT_CHECK = Rule(
    "doctor-cannot-check",
    "doctor",
    _N,
    "Every check of `doctor` could be made. When the server refuses a command a check needs (CONFIG disabled or renamed on managed Redis, an ACL user without +config, a Kafka broker without DescribeConfigs), the check is named here with the server's answer and `doctor` goes on with the others.",
)
REDIS_VERSION = Rule(
    "redis-version",
    "doctor",
    E,
    "The Redis server is at least requirements.redis.min_version (7.2 for OPA). The suite runs against 6.2 and 7.0, so the message says which Pub/Sub behaviour the runtime relies on there.",
)
REDIS_MAXMEMORY_POLICY = Rule(
    "redis-maxmemory-policy",
    "doctor",
    E,
    "maxmemory-policy is the one required (noeviction for OPA): an evicting policy silently drops dead letters and other keys when memory runs out.",
)
REDIS_MAXMEMORY = Rule(
    "redis-maxmemory", "doctor", W, "maxmemory is the one required (256mb for OPA)."
)
REDIS_TIMEOUT = Rule(
    "redis-timeout",
    "doctor",
    W,
    "timeout (idle seconds before Redis closes a connection) is the one required (0 for OPA: never). Subscribers are exempt, publishers that go quiet are not.",
)
REDIS_TCP_KEEPALIVE = Rule(
    "redis-tcp-keepalive",
    "doctor",
    W,
    "tcp-keepalive is the one required (300 s for OPA), so a dead peer is noticed.",
)
REDIS_CONFIG = Rule(
    "redis-config",
    "doctor",
    W,
    "Any other redis.conf setting named under requirements.redis.config has the required value.",
)
REDIS_PUBSUB_BUFFER = Rule(
    "redis-pubsub-buffer",
    "doctor",
    _N,
    "client-output-buffer-limit pubsub gives a slow subscriber some seconds of slack at the registry's declared maximum throughput times the size of its largest example (a warning under 10 s): past the limit Redis disconnects the subscriber and the messages in between are lost.",
)
REDIS_AUTH = Rule(
    "redis-auth",
    "doctor",
    W,
    "The server requires AUTH exactly when the environment declares a password (password_env): a server open to anyone on its network, or an environment that would connect without the password the server wants, is reported.",
)
REDIS_TLS = Rule(
    "redis-tls",
    "doctor",
    _N,
    "Says whether the connection is TLS (rediss://) or plaintext, and whether that is what the environment declares.",
)
KAFKA_TOPIC_MISSING = Rule(
    "kafka-topic-missing",
    "doctor",
    E,
    "Every topic of the Kafka plan (`generate kafka`) exists on the brokers.",
)
KAFKA_TOPIC_CONFIG = Rule(
    "kafka-topic-config",
    "doctor",
    W,
    "Each planned topic has the planned partitions (more is a warning, fewer an error: keys would move), retention and cleanup policy.",
)
DOCTOR_RULES: tuple[Rule, ...] = (
    DOCTOR_CANNOT_CHECK,
    REDIS_VERSION,
    REDIS_MAXMEMORY_POLICY,
    REDIS_MAXMEMORY,
    REDIS_TIMEOUT,
    REDIS_TCP_KEEPALIVE,
    REDIS_CONFIG,
    REDIS_PUBSUB_BUFFER,
    REDIS_AUTH,
    REDIS_TLS,
    KAFKA_TOPIC_MISSING,
    KAFKA_TOPIC_CONFIG,
)
