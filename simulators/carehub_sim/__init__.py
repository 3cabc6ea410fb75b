"""Shared helpers of the CareHub simulators (resident.py, load.py, recording.py).

- ``timeutil``: local time <-> epoch milliseconds, fast RFC 3339 formatting.
- ``contract``: contract v1 constants and an event validator (docs/events.md rules).
- ``replay``: the replay file format (contract section 5): writing and reading lines.
- ``mqttpub``: publishes a time-ordered record stream over MQTT at a speed factor,
  one gateway connection per home (retained status and last will like gateway.py).

Nothing here needs paho-mqtt except ``mqttpub``.
"""
