#!/usr/bin/env python3
"""Durable-ingest and pendant-to-alert benchmarks for CareHub, each against a baseline run in the same
invocation (these machines are shared and noisy, so ratios matter more than absolute figures).

  ingest:  a backlog of N events is queued at the broker for two persistent sessions (mosquitto_sub's and
           the hub's), so the publisher's speed does not enter; each consumer then drains it. The rate is
           events / (last receive - first receive). Run for synchronous=FULL and NORMAL with contract events,
           and for FULL with Zigbee2MQTT messages through the shipped mapping (deploy/mappings/zigbee2mqtt.yaml).
  latency: with B background events/s flowing, pendant events (each from its own home, so each opens a new
           incident) are published; we time publish -> the pendant seen by a plain subscriber (baseline)
           and publish -> the hub's alert.

Usage: bench/ingest_bench.py --carehub .build/release/carehub [--events 100000] [--out FILE]
"""

import argparse
import datetime as dt
import json
import os
import platform
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise SystemExit(f"mosquitto did not start on port {port}")


class Broker:
    def __init__(self, workdir: Path):
        self.port = free_port()
        conf = workdir / "mosquitto.conf"
        conf.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n"
            "persistence false\nmessage_size_limit 65536\nmax_inflight_messages 1000\n"
        )
        self.process = subprocess.Popen(["/usr/sbin/mosquitto", "-c", str(conf)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class Hub:
    """`carehub serve` as a child process."""

    def __init__(self, binary: str, port: int, db: Path, synchronous: str, workdir: Path, name: str, extra_config: str = ""):
        config = workdir / f"{name}.yaml"
        config.write_text(f"database:\n  path: {db}\n  synchronous: {synchronous}\nlog_level: warning\n{extra_config}")
        self.log = workdir / f"{name}.log"
        self.process = subprocess.Popen(
            [binary, "serve", "--config", str(config), "--broker", f"mqtt://127.0.0.1:{port}", "--log-level", "notice"],
            stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while "CareHub ready" not in self.log.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the hub did not start:\n{self.log.read_text()[-2000:]}")
            time.sleep(0.02)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def connect(port: int, client_id: str = "", clean: bool = True) -> mqtt.Client:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=clean)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port, keepalive=60)
    client.loop_start()
    return client


def publish_all(port: int, messages) -> None:
    """Publishes (topic, payload) pairs at QoS 1 as fast as the broker acknowledges them. At most 10,000 are
    outstanding at once: paho numbers queued messages with 16-bit ids and stalls beyond 65,535."""
    client = connect(port)
    window = threading.Semaphore(10_000)
    outstanding = {"count": 0}
    lock = threading.Lock()
    all_acknowledged = threading.Event()

    def on_publish(_client, _userdata, _mid, _reason, _properties):
        window.release()
        with lock:
            outstanding["count"] -= 1
            if outstanding["count"] == 0:
                all_acknowledged.set()

    client.on_publish = on_publish
    for topic, payload in messages:
        if not window.acquire(timeout=60):
            raise SystemExit("the broker stopped acknowledging")
        with lock:
            outstanding["count"] += 1
            all_acknowledged.clear()
        client.publish(topic, payload, qos=1)
    with lock:
        if outstanding["count"] == 0:
            all_acknowledged.set()
    if not all_acknowledged.wait(300):
        raise SystemExit("the broker did not acknowledge the backlog")
    client.loop_stop()
    client.disconnect()


def events(prefix: str, count: int, homes: int = 100):
    ts = dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    for n in range(count):
        home = f"bench-{n % homes}"
        payload = json.dumps({"id": f"{prefix}-{n}", "ts": ts, "type": "motion", "value": True, "room": "lounge",
                              "seq": n // homes})
        yield f"carehub/v1/{home}/pir-{n % 3}/event", payload


def zigbee2mqtt_messages(count: int, homes: int = 100):
    """Zigbee2MQTT PIR reports under per-home base topics, three PIRs a home, each alternating occupancy true and
    false, so that every message is one motion event (a PIR repeating `true` within the mapping's 5 s window
    would rightly be suppressed as a duplicate)."""
    devices = homes * 3
    for n in range(count):
        device, round_ = n % devices, n // devices
        payload = json.dumps({"occupancy": round_ % 2 == 0, "illuminance": n % 1000, "battery": 90, "linkquality": 120})
        yield f"z2m/zb-{device % homes}/pir_{device // homes}", payload


class Stream:
    """What a run publishes, what the baseline subscribes to, and how the hub's stored rows are counted."""

    def __init__(self, name: str, messages, topic_filter: str, stored_where: str, extra_config: str = ""):
        self.name, self.messages, self.topic_filter = name, messages, topic_filter
        self.stored_where, self.extra_config = stored_where, extra_config


def baseline_drain(port: int, count: int, topic_filter: str) -> float:
    """mosquitto_sub drains its persistent session's backlog; returns events/s (first to last line)."""
    process = subprocess.Popen(
        ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-c", "-i", "bench-baseline", "-q", "1",
         "-t", topic_filter, "-C", str(count), "-W", "300"],
        stdout=subprocess.PIPE, bufsize=1 << 20)
    first = last = None
    received = 0
    assert process.stdout is not None
    for _line in process.stdout:
        now = time.perf_counter()
        first = first or now
        last = now
        received += 1
    process.wait()
    if received != count:
        raise SystemExit(f"mosquitto_sub received {received} of {count}")
    return (count - 1) / (last - first)


def register_baseline(port: int, topic_filter: str) -> None:
    subprocess.run(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-c", "-i", "bench-baseline", "-q", "1",
                    "-t", topic_filter, "-W", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def hub_drain(binary: str, port: int, db: Path, synchronous: str, workdir: Path, count: int, stream: Stream) -> float:
    hub = Hub(binary, port, db, synchronous, workdir, f"hub-{stream.name}-{synchronous}", stream.extra_config)
    deadline = time.monotonic() + 600
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    while True:
        stored = connection.execute(f"SELECT COUNT(*) FROM events WHERE {stream.stored_where}").fetchone()[0]
        if stored >= count:
            break
        if time.monotonic() > deadline or hub.process.poll() is not None:
            raise SystemExit(f"the hub stored {stored} of {count}")
        time.sleep(0.2)
    first, last = connection.execute(f"SELECT MIN(received_at), MAX(received_at) FROM events WHERE {stream.stored_where}").fetchone()
    connection.close()
    hub.stop()
    return (count - 1) / ((last - first) / 1000.0)


def ingest(binary: str, count: int, workdir: Path) -> list[dict]:
    """Rows for contract events at synchronous=full and normal, then Zigbee2MQTT messages at full."""
    mapping = ROOT / "deploy/mappings/zigbee2mqtt.yaml"
    runs = [
        ("full", Stream("contract", lambda: events("ingest-full", count), "carehub/v1/+/+/event", "id LIKE 'ingest-full-%'")),
        ("normal", Stream("contract", lambda: events("ingest-normal", count), "carehub/v1/+/+/event", "id LIKE 'ingest-normal-%'")),
        ("full", Stream("zigbee2mqtt", lambda: zigbee2mqtt_messages(count), "z2m/#", "home_id LIKE 'zb-%' AND type = 'motion'",
                        f"gateways:\n  - mapping: {mapping}\n")),
    ]
    rows = []
    for synchronous, stream in runs:
        broker = Broker(workdir)
        try:
            db = workdir / f"ingest-{stream.name}-{synchronous}.sqlite"
            register_baseline(broker.port, stream.topic_filter)
            Hub(binary, broker.port, db, synchronous, workdir, f"register-{stream.name}-{synchronous}", stream.extra_config).stop()
            publish_all(broker.port, stream.messages())
            baseline = baseline_drain(broker.port, count, stream.topic_filter)
            hub = hub_drain(binary, broker.port, db, synchronous, workdir, count, stream)
            rows.append({"stream": stream.name, "synchronous": synchronous, "baseline": baseline, "hub": hub, "ratio": hub / baseline})
            print(f"ingest {stream.name} synchronous={synchronous}: mosquitto_sub {baseline:,.0f}/s, hub {hub:,.0f}/s, "
                  f"ratio {hub / baseline:.2f}", flush=True)
        finally:
            broker.stop()
    return rows


def pendant_behind_backlog(binary: str, count: int, workdir: Path) -> dict:
    """A backlog of `count` events queued for the hub while it is down; the hub started; a pendant published a
    second later: time from its publish to the hub's alert, and how much of the backlog was stored by then."""
    broker = Broker(workdir)
    db = workdir / "behind.sqlite"
    Hub(binary, broker.port, db, "full", workdir, "register-behind").stop()
    publish_all(broker.port, events("behind", count))
    alerted: dict[str, float] = {}

    def on_message(_client, _userdata, message):
        alerted.setdefault(message.topic.split("/")[2], time.perf_counter())

    watcher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    watcher.on_message = on_message
    watcher.connect("127.0.0.1", broker.port)
    watcher.subscribe([("carehub/v1/behind-pressed/alert", 1)])
    watcher.loop_start()
    hub = Hub(binary, broker.port, db, "full", workdir, "hub-behind")
    time.sleep(1)
    client = connect(broker.port)
    ts = dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    published = time.perf_counter()
    client.publish("carehub/v1/behind-pressed/pendant-1/event", json.dumps({"id": "press", "ts": ts, "type": "pendant"}), qos=1)
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    stored_when_alerted = None
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        stored = connection.execute("SELECT COUNT(*) FROM events WHERE id LIKE 'behind-%'").fetchone()[0]
        if stored_when_alerted is None and "behind-pressed" in alerted:
            stored_when_alerted = stored
        if stored >= count and stored_when_alerted is not None:
            break
        time.sleep(0.01)
    drained = time.perf_counter()
    connection.close()
    client.loop_stop()
    watcher.loop_stop()
    hub.stop()
    broker.stop()
    if "behind-pressed" not in alerted:
        raise SystemExit("the pendant behind the backlog produced no alert")
    result = {"events": count, "alert_s": alerted["behind-pressed"] - published, "stored_when_alerted": stored_when_alerted,
              "drained_s": drained - published}
    print(f"pendant behind a {count:,}-event backlog: alert after {result['alert_s']:.3f} s, with {stored_when_alerted:,} of the "
          f"backlog stored; backlog drained {result['drained_s']:.1f} s after the press", flush=True)
    return result


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def latency(binary: str, workdir: Path, samples: int, background_rate: int) -> dict:
    broker = Broker(workdir)
    hub = Hub(binary, broker.port, workdir / "latency.sqlite", "full", workdir, "hub-latency")
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    alerted: dict[str, float] = {}
    lock = threading.Lock()

    def on_message(_client, _userdata, message):
        now = time.perf_counter()
        home = message.topic.split("/")[2]
        with lock:
            if message.topic.endswith("/alert"):
                alerted.setdefault(home, now)
            else:
                seen.setdefault(home, now)

    watcher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    watcher.on_message = on_message
    watcher.connect("127.0.0.1", broker.port)
    watcher.subscribe([("carehub/v1/+/pendant-1/event", 1), ("carehub/v1/+/alert", 1)])
    watcher.loop_start()
    time.sleep(0.5)

    stop = threading.Event()

    def background():
        client = connect(broker.port)
        interval = 1.0 / background_rate
        n = 0
        next_at = time.perf_counter()
        ts = dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        while not stop.is_set():
            client.publish(f"carehub/v1/bg-{n % 200}/pir-1/event",
                           json.dumps({"id": f"bg-{n}", "ts": ts, "type": "motion", "value": n % 2 == 0}), qos=1)
            n += 1
            next_at += interval
            delay = next_at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        client.loop_stop()
        client.disconnect()

    load = threading.Thread(target=background, daemon=True)
    load.start()
    time.sleep(2)
    pendant_client = connect(broker.port)
    for n in range(samples):
        home = f"lat-{n}"
        ts = dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        payload = json.dumps({"id": f"p-{n}", "ts": ts, "type": "pendant", "room": "lounge"})
        with lock:
            sent[home] = time.perf_counter()
        pendant_client.publish(f"carehub/v1/{home}/pendant-1/event", payload, qos=1)
        time.sleep(0.05)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with lock:
            if len(alerted) >= samples and len(seen) >= samples:
                break
        time.sleep(0.05)
    stop.set()
    load.join(timeout=5)
    hub.stop()
    broker.stop()
    with lock:
        base = [(seen[h] - sent[h]) * 1000 for h in sent if h in seen]
        hub_ms = [(alerted[h] - sent[h]) * 1000 for h in sent if h in alerted]
    if len(hub_ms) != samples:
        raise SystemExit(f"only {len(hub_ms)} of {samples} pendants produced an alert")
    result = {
        "samples": samples, "background": background_rate,
        "baseline": {"p50": percentile(base, .5), "p99": percentile(base, .99), "max": max(base)},
        "hub": {"p50": percentile(hub_ms, .5), "p99": percentile(hub_ms, .99), "max": max(hub_ms)},
    }
    print(f"latency: baseline p50 {result['baseline']['p50']:.2f} ms p99 {result['baseline']['p99']:.2f} ms; "
          f"hub p50 {result['hub']['p50']:.2f} ms p99 {result['hub']['p99']:.2f} ms max {result['hub']['max']:.2f} ms",
          flush=True)
    return result


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, {platform.system()} {platform.release()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--carehub", default=str(ROOT / ".build/release/carehub"))
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=400)
    parser.add_argument("--background", type=int, default=1000)
    parser.add_argument("--out", default=None)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="carehub-bench-") as directory:
        workdir = Path(directory)
        ingest_rows = ingest(arguments.carehub, arguments.events, workdir)
        behind = pendant_behind_backlog(arguments.carehub, arguments.events, workdir)
        latency_result = latency(arguments.carehub, workdir, arguments.samples, arguments.background)
    now = dt.datetime.now(dt.timezone.utc)
    command = "bench/ingest_bench.py " + " ".join(sys.argv[1:])
    lines = [
        f"# CareHub ingest benchmark, {now:%Y-%m-%d %H:%M} UTC", "",
        f"- machine: {machine()}", f"- command: `{command}`", f"- binary: `{arguments.carehub}`", "",
        f"## Durable ingest of a {arguments.events:,}-event backlog queued at the broker", "",
        "| messages | synchronous | mosquitto_sub (baseline) | carehub | ratio (goal >= 0.5) |", "|---|---|---|---|---|",
    ]
    for row in ingest_rows:
        lines.append(f"| {row['stream']} | {row['synchronous']} | {row['baseline']:,.0f} messages/s | {row['hub']:,.0f} events/s | {row['ratio']:.2f} |")
    lines += [
        "", f"## A pendant published 1 s after the hub starts on a {behind['events']:,}-event backlog", "",
        "| press to alert (goal <= 2 s) | backlog stored when alerted | backlog drained after the press |", "|---|---|---|",
        f"| {behind['alert_s']:.3f} s | {behind['stored_when_alerted']:,} of {behind['events']:,} | {behind['drained_s']:.1f} s |",
    ]
    b, h = latency_result["baseline"], latency_result["hub"]
    lines += [
        "", f"## Pendant to alert, {latency_result['samples']} pendants with {latency_result['background']:,} background events/s", "",
        "| | p50 | p99 | max |", "|---|---|---|---|",
        f"| mosquitto subscriber sees the pendant (baseline) | {b['p50']:.2f} ms | {b['p99']:.2f} ms | {b['max']:.2f} ms |",
        f"| hub's alert arrives | {h['p50']:.2f} ms | {h['p99']:.2f} ms | {h['max']:.2f} ms |",
        f"| difference (goal p99 <= 10 ms) | {h['p50'] - b['p50']:.2f} ms | {h['p99'] - b['p99']:.2f} ms | |", "",
    ]
    report = "\n".join(lines)
    print(report)
    if arguments.out:
        Path(arguments.out).parent.mkdir(parents=True, exist_ok=True)
        Path(arguments.out).write_text(report)


if __name__ == "__main__":
    main()
