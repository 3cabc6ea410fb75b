"""Schemathesis against a real `carehub serve --http`: every documented operation is called with generated
requests (valid and invalid), and every answer must match the served OpenAPI description: its status codes,
content types and schemas, no server errors, and nothing answered without credentials.

Run through schemathesis' own command line: its pytest plugin does not load under this pytest (9.2).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# The stream never ends by itself (the server closes it after an hour): it is tested in Swift, not here.
SKIPPED_PATH = "/api/v1/stream"
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


def test_every_operation_answers_as_documented(hub, tmp_path):
    schema = tmp_path / "openapi.yaml"
    schema.write_bytes(hub.get("/api/v1/openapi.yaml"))
    result = subprocess.run(
        [str(SCHEMATHESIS), "run", str(schema), "--url", hub.base_url,
         "--header", f"Authorization: Bearer {hub.token}",
         "--exclude-path", SKIPPED_PATH,
         "--checks", "all",
         # A schema cannot say "in the future", "at most 12 h" or "a date that exists": such valid-looking
         # values are refused with 400, so the check that every schema-valid request succeeds is left out.
         "--exclude-checks", "positive_data_acceptance", "--max-examples", "25", "--seed", "14",
         "--request-timeout", "10", "--max-time", "60", "--workers", "1"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
