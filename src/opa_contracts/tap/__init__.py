"""``opa-contracts tap``: what is on the wire, checked against the registry, read-only.

* :mod:`.contracts` — the registry as the tap needs it: per channel, its compiled versions
  (newest first), its Redis channel, Kafka topic and key, and the fields its versions declare;
* :mod:`.checking` — one message: decoded by the channel's encoding, matched to the newest
  version that accepts it, or the reason the newest refuses it;
* :mod:`.summary` — what the tap saw, per channel (counts, sizes, versions, invalid messages by
  rule and pointer, fields no version declares) and its JSON, markdown and text forms;
* :mod:`.parity` — dual-write parity: Redis and Kafka copies of the same channel matched within
  a window (bounded state);
* :mod:`.sources` — the read-only subscribers (Redis Pub/Sub, a Kafka consumer that commits
  nothing), each yielding ``(channel, payload, key, arrival)``.
"""
