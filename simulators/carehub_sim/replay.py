"""Replay files (contract section 5): one JSON object a line,
``{"topic": "...", "payload": ..., "at": "<RFC 3339 receive time>"}``.

Inside the simulators a message is a *record*: a tuple ``(at_ms, topic, payload_json)`` where
``payload_json`` is the JSON text of the line's ``payload`` member:

- a JSON object (``{"id":...}``): the published payload is exactly this text;
- a JSON string (``"online"``, ``"{\\"id\\": 1,"``): the published payload is the string's
  content, raw. Status words and malformed payloads (bad JSON) travel this way.

Records sort by ``at`` (then topic and payload, so ties are deterministic).
"""

from __future__ import annotations

import json
import os
import sys
from typing import IO, Any, Iterable, Iterator, Tuple

from .timeutil import SUFFIX, Rfc3339, minute_prefix, rfc3339_to_epoch_ms

Record = Tuple[int, str, str]

RETAINED_SUFFIXES = ("/gateway/status", "/availability", "/bridge/state")


def open_output(path: str) -> IO[str]:
    """Opens an output file for writing ('-' = standard output), creating missing parent folders."""
    if path == "-":
        return sys.stdout
    parent = os.path.dirname(os.path.abspath(path))
    if parent:
        os.makedirs(parent, exist_ok=True)
    return open(path, "w", encoding="utf-8", newline="\n")


def raw_payload(text: str) -> str:
    """The payload member for a raw (non-object) payload."""
    return json.dumps(text, ensure_ascii=False)


def publish_bytes(payload_json: str) -> bytes:
    """The bytes to publish for a record's payload member."""
    if payload_json.startswith('"'):
        return json.loads(payload_json).encode("utf-8")
    return payload_json.encode("utf-8")


def is_retained_topic(topic: str) -> bool:
    return topic.endswith(RETAINED_SUFFIXES)


class ReplayWriter:
    """Writes records as replay lines. Callers hand records over in ``at`` order."""

    def __init__(self, out: IO[str]):
        self.out = out
        self.fmt = Rfc3339()
        self.lines = 0

    def write(self, records: Iterable[Record]) -> None:
        # Records come in ``at`` order, so the minute prefix rarely changes: cache the last one.
        buf = []
        append = buf.append
        last_m = -1
        prefix = ""
        suffix = SUFFIX
        for at, topic, payload in records:
            m = at // 60000
            if m != last_m:
                last_m, prefix = m, minute_prefix(m)
            append(f'{{"topic":"{topic}","payload":{payload},"at":"{prefix}{suffix[at - m * 60000]}"}}\n')
        self.lines += len(buf)
        self.out.write("".join(buf))


def read_replay(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Parsed replay lines (dicts with topic, payload, at), skipping blank lines."""
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"line {n} is not JSON: {exc}") from None
        if not isinstance(obj, dict) or "topic" not in obj or "payload" not in obj:
            raise ValueError(f"line {n} is not a replay line (needs topic and payload)")
        yield obj


def record_of(obj: dict[str, Any]) -> Record:
    """A record from a parsed replay line (needs ``at``)."""
    payload = obj["payload"]
    text = json.dumps(payload, ensure_ascii=False) if isinstance(payload, str) else json.dumps(
        payload, separators=(",", ":"), ensure_ascii=False
    )
    return (rfc3339_to_epoch_ms(obj["at"]), obj["topic"], text)
