"""Helpers for the resident/load/recording tests: run a simulator, read a replay file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

SIM_DIR = Path(__file__).resolve().parents[1]
RESIDENT = SIM_DIR / "resident.py"
LOAD = SIM_DIR / "load.py"
RECORDING = SIM_DIR / "recording.py"
HOMES_DATA = Path("/work/shared/data/homes")
HOMEASSIST_CSV = HOMES_DATA / "homeassist-home1" / "home1-2017-01-16_to_2017-09-24.csv"
CASAS_CSV = HOMES_DATA / "casas-hh109" / "hh109_2012-06_motion_on.csv"
CASAS_RAW_SAMPLE = HOMES_DATA / "casas-hh109" / "newer-casas-format-sample.txt"
ORDONEZ_A = HOMES_DATA / "ordonez" / "OrdonezA_Sensors.txt"
LONDON = ZoneInfo("Europe/London")


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONDONTWRITEBYTECODE"] = "1"
    e["PYTHONUNBUFFERED"] = "1"
    return e


def run(script: Path, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, timeout=timeout,
        stdin=subprocess.DEVNULL, env=env(),
    )


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class Line:
    n: int
    topic: str
    payload: Any
    at: datetime
    raw: str

    @property
    def is_event(self) -> bool:
        return self.topic.endswith("/event")

    @property
    def device(self) -> str:
        return self.topic.split("/")[-2] if self.is_event else ""

    @property
    def home(self) -> str:
        return self.topic.split("/")[2] if self.topic.startswith("carehub/") else self.topic.split("/")[1]

    @property
    def event(self) -> dict[str, Any] | None:
        return self.payload if isinstance(self.payload, dict) and self.is_event else None

    @property
    def type(self) -> str | None:
        ev = self.event
        return ev.get("type") if ev else None

    @property
    def ts(self) -> datetime | None:
        ev = self.event
        if ev and isinstance(ev.get("ts"), str):
            return parse_time(ev["ts"])
        return None

    def local(self, tz: ZoneInfo = LONDON) -> datetime:
        t = self.ts or self.at
        return t.astimezone(tz)


def read_lines(path: Path) -> list[Line]:
    out = []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            obj = json.loads(raw)
            assert set(obj) == {"topic", "payload", "at"}, raw
            out.append(Line(n, obj["topic"], obj["payload"], parse_time(obj["at"]), raw))
    return out


def resident_file(tmp_path: Path, name: str, *args: str, timeout: float = 60.0) -> tuple[list[Line], str]:
    """Runs resident.py --output and returns the parsed lines and the summary (stderr)."""
    out = tmp_path / f"{name}.jsonl"
    done = run(RESIDENT, "--output", str(out), *args, timeout=timeout)
    assert done.returncode == 0, done.stderr
    return read_lines(out), done.stderr


def activity(line: Line) -> bool:
    """Resident activity in the sense of contract section 3 (power changes left out)."""
    ev = line.event
    if not ev:
        return False
    return (ev.get("type") == "motion" and ev.get("value") is True) or ev.get("type") in ("door", "bed", "chair")


def utc(y, mo, d, h=0, mi=0, s=0, tz: ZoneInfo = LONDON) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=tz).astimezone(timezone.utc)
