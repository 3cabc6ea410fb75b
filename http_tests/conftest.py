"""Fixtures for the HTTP API's schema tests: the built `carehub` serving its API beside a real mosquitto, on
free loopback ports, over a temporary database with an administrator, a home, events and an incident.

Needs `swift build` first (make test does) and /usr/sbin/mosquitto.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CAREHUB = ROOT / ".build" / "debug" / "carehub"
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def is_ready(http_port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/readyz", timeout=2) as response:
            return response.status == 200
    except OSError:  # 503 until connected, subscribed and caught up (urllib's HTTPError is an OSError)
        return False


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {timeout} s", pytrace=False)
        time.sleep(0.05)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@dataclass
class Hub:
    base_url: str
    token: str
    db: Path
    log: Path
    broker_port: int
    name: str
    password: str

    def get(self, path: str) -> bytes:
        request = urllib.request.Request(self.base_url + path, headers={"Authorization": f"Bearer {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()


@contextlib.contextmanager
def running_hub(directory: Path, name: str = "Schema Tester", secret: str = "schemathesis password"):
    """A `carehub serve --http` beside its own mosquitto, over a database in `directory` with the administrator
    `name` (password `secret`), a pendant's open incident at flat-12 and a motion in its kitchen."""
    if not CAREHUB.exists():
        pytest.fail(f"{CAREHUB} is missing: run `swift build` first (make test does)", pytrace=False)
    mosquitto = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not os.access(mosquitto, os.X_OK):
        pytest.fail("mosquitto is not installed: apt-get install -y mosquitto", pytrace=False)
    db = directory / "carehub.sqlite"
    password = directory / "password"
    password.write_text(secret + "\n")
    subprocess.run([str(CAREHUB), "users", "add", name, "--role", "admin", "--password-file", str(password),
                    "--db", str(db)], check=True, capture_output=True)
    token = subprocess.run([str(CAREHUB), "users", "token", name, "--db", str(db)],
                           check=True, capture_output=True, text=True).stdout.strip()
    broker_port = free_port()
    conf = directory / "mosquitto.conf"
    conf.write_text(f"listener {broker_port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    broker = subprocess.Popen([mosquitto, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              stdin=subprocess.DEVNULL)
    try:
        # Listening before the hub starts, so the hub's first connection is not a refused one it waits to retry.
        wait_until(lambda: accepts(broker_port) or broker.poll() is not None, START_TIMEOUT, "mosquitto did not listen")
    except BaseException:
        stop(broker)
        raise
    http_port = free_port()
    log = directory / "hub.log"
    with open(log, "wb") as log_file:
        serve = subprocess.Popen([str(CAREHUB), "serve", "--db", str(db), "--broker", f"mqtt://127.0.0.1:{broker_port}",
                                  "--http", str(http_port)], stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        wait_until(lambda: accepts(http_port) or serve.poll() is not None, START_TIMEOUT, "carehub serve --http did not listen")
        if serve.poll() is not None:
            pytest.fail(f"carehub serve stopped: {log.read_text(errors='replace')[-2000:]}", pytrace=False)
        # Ready is subscribed: a message published before the hub's first subscription has no session to wait in, and the
        # broker drops it (CI at 1c547e8: the pendant was published while the hub, started before mosquitto listened, was
        # still waiting to reconnect, and its incident never opened).
        wait_until(lambda: is_ready(http_port), START_TIMEOUT, "carehub serve did not become ready (/readyz)")
        publish(broker_port, "carehub/v1/flat-12/pendant-1/event",
                {"id": "press-1", "ts": now_rfc3339(), "type": "pendant", "room": "lounge"})
        publish(broker_port, "carehub/v1/flat-12/pir-1/event",
                {"id": "motion-1", "ts": now_rfc3339(), "type": "motion", "room": "kitchen", "value": True})
        hub = Hub(f"http://127.0.0.1:{http_port}", token, db, log, broker_port, name, secret)
        wait_until(lambda: json.loads(hub.get("/api/v1/incidents")) != [], START_TIMEOUT, "the pendant's incident did not open")
        yield hub
    finally:
        stop(serve)
        stop(broker)


@pytest.fixture(scope="session")
def hub(tmp_path_factory: pytest.TempPathFactory):
    with running_hub(tmp_path_factory.mktemp("carehub-http")) as running:
        yield running


def now_rfc3339() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def publish(port: int, topic: str, payload: dict) -> None:
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"http-tests-{os.getpid()}")
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        client.publish(topic, json.dumps(payload), qos=1).wait_for_publish(timeout=10)
    finally:
        client.loop_stop()
        client.disconnect()
