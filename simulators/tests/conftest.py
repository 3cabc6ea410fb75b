"""Fixtures for the gateway simulator tests: a real mosquitto broker on a free
loopback port, an MQTT probe that plays the hub, and helpers to run gateway.py.

The tests install nothing: without /usr/sbin/mosquitto they fail with a clear
message (Debian: apt-get install -y mosquitto mosquitto-clients).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

sys.dont_write_bytecode = True  # keep the simulator folder free of __pycache__

import paho.mqtt.client as mqtt  # noqa: E402
import pytest  # noqa: E402

SIM_DIR = Path(__file__).resolve().parents[1]
GATEWAY = SIM_DIR / "gateway.py"
if str(SIM_DIR) not in sys.path:
    sys.path.insert(0, str(SIM_DIR))

BROKER_START_TIMEOUT = 5.0
PROBE_TIMEOUT = 5.0


def find_mosquitto() -> str | None:
    for candidate in ("/usr/sbin/mosquitto", shutil.which("mosquitto")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@dataclass
class Broker:
    host: str
    port: int
    proc: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=3)


@pytest.fixture
def broker(tmp_path: Path):
    """A fresh mosquitto (no persistence, anonymous) on 127.0.0.1:<free port>."""
    exe = find_mosquitto()
    if exe is None:
        pytest.fail(
            "mosquitto is not installed (/usr/sbin/mosquitto is missing): "
            "run `apt-get install -y mosquitto mosquitto-clients` and try again",
            pytrace=False,
        )
    log = tmp_path / "mosquitto.log"
    last_error = ""
    for attempt in range(3):  # the free port may be taken between bind and listen
        port = free_port()
        conf = tmp_path / f"mosquitto-{attempt}.conf"
        conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
        with open(log, "ab") as log_file:
            proc = subprocess.Popen(
                [exe, "-c", str(conf)], stdout=log_file, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + BROKER_START_TIMEOUT
        while time.monotonic() < deadline and proc.poll() is None and not _port_accepts(port):
            time.sleep(0.02)
        if proc.poll() is None and _port_accepts(port):
            b = Broker("127.0.0.1", port, proc, log)
            try:
                yield b
            finally:
                _stop(proc)
            return
        _stop(proc)
        last_error = log.read_text(errors="replace")[-2000:]
    pytest.fail(f"mosquitto did not start listening within {BROKER_START_TIMEOUT} s:\n{last_error}", pytrace=False)


@dataclass
class Received:
    topic: str
    payload: bytes
    qos: int
    retain: bool
    at: float  # time.monotonic() on arrival

    def json(self) -> Any:
        return json.loads(self.payload.decode("utf-8"))

    @property
    def text(self) -> str:
        return self.payload.decode("utf-8", errors="replace")


class Probe:
    """An MQTT client of the test: subscribes, records, and may answer (play the hub)."""

    def __init__(
        self,
        broker: Broker,
        topics: list[str],
        on_message: Callable[["Probe", Received], None] | None = None,
    ):
        self.messages: list[Received] = []
        self.cond = threading.Condition()
        self._hook = on_message
        self._suback = False
        self._sub_mid: int | None = None
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"probe-{uuid.uuid4().hex[:12]}", clean_session=True
        )
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self._topics = topics
        self.client.connect(broker.host, broker.port, keepalive=30)
        self.client.loop_start()
        with self.cond:
            if not self.cond.wait_for(lambda: self._suback, PROBE_TIMEOUT):
                self.close()
                raise AssertionError(f"probe could not subscribe to {topics} within {PROBE_TIMEOUT} s")

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        _, mid = client.subscribe([(t, 1) for t in self._topics])
        with self.cond:
            self._sub_mid = mid

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        with self.cond:
            self._suback = True
            self.cond.notify_all()

    def _on_message(self, client, userdata, msg):
        rec = Received(msg.topic, bytes(msg.payload), msg.qos, bool(msg.retain), time.monotonic())
        with self.cond:
            self.messages.append(rec)
            self.cond.notify_all()
        if self._hook is not None:
            self._hook(self, rec)

    def snapshot(self, topic_filter: Callable[[str], bool] = lambda t: True) -> list[Received]:
        with self.cond:
            return [m for m in self.messages if topic_filter(m.topic)]

    def wait_for(self, predicate: Callable[[list[Received]], bool], timeout: float = PROBE_TIMEOUT) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: predicate(self.messages), timeout)

    def publish(self, topic: str, payload: str, retain: bool = False):
        """Publish QoS 1. Safe from inside the on_message hook (does not block there)."""
        return self.client.publish(topic, payload, qos=1, retain=retain)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def probes():
    """Factory for probes, all closed at teardown."""
    made: list[Probe] = []

    def make(broker: Broker, topics: list[str], on_message=None) -> Probe:
        p = Probe(broker, topics, on_message)
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()


def retained_status(broker: Broker, home: str, timeout: float = 2.0) -> Received | None:
    """The retained gateway status as a new subscriber sees it (None if none)."""
    p = Probe(broker, [f"carehub/v1/{home}/gateway/status"])
    try:
        p.wait_for(lambda ms: len(ms) > 0, timeout)
        msgs = p.snapshot()
        return msgs[0] if msgs else None
    finally:
        p.close()


def gateway_argv(broker: Broker, home: str, *args: str) -> list[str]:
    return [sys.executable, str(GATEWAY), "--host", broker.host, "--port", str(broker.port), "--home", home, *args]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_gateway(broker: Broker, home: str, *args: str, timeout: float = 20.0) -> subprocess.CompletedProcess:
    return subprocess.run(
        gateway_argv(broker, home, *args), capture_output=True, text=True, timeout=timeout,
        stdin=subprocess.DEVNULL, env=_env(),
    )


@pytest.fixture
def spawn():
    """Start gateway.py in the background; every process is killed at teardown."""
    procs: list[subprocess.Popen] = []

    def start(broker: Broker, home: str, *args: str) -> subprocess.Popen:
        proc = subprocess.Popen(
            gateway_argv(broker, home, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL, text=True, env=_env(),
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        try:
            proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
