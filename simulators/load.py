#!/usr/bin/env python3
"""CareHub load generator: N homes x M devices publishing contract events at R events/s in total.

Every event goes out with QoS 1 on ``carehub/v1/<home>/<device>/event``, paced on the monotonic
clock (event n is due n/R s after the start; a late sender catches up without sleeping). For every
event the publish time and the PUBACK time are recorded; at the end a JSON report goes to standard
output: sent, acknowledged, achieved rate, and publish->PUBACK latency percentiles.
``--record FILE`` writes ``id,home,published_at`` per event (published_at in RFC 3339 UTC with
microseconds) so that a benchmark can join the hub's stored events against it.

At most ``--window`` messages are unacknowledged at any time (paho numbers in-flight messages with
16-bit ids and stalls if more than 65,535 are outstanding).

Exit status: 0 every event acknowledged; 1 a failure or missing PUBACKs; 2 bad arguments.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import signal
import sys
import threading
import time
import uuid
from array import array
from typing import Any

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from carehub_sim.contract import check_name  # noqa: E402
from carehub_sim.mqttpub import BrokerOptions, Connection, PublishError, StatusSpec  # noqa: E402
from carehub_sim.replay import open_output  # noqa: E402
from carehub_sim.timeutil import rfc3339_ms, rfc3339_us  # noqa: E402
from gateway import stream_devices  # noqa: E402  (same device naming as gateway.py stream)


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, math.ceil(p / 100.0 * len(sorted_values)) - 1))
    return sorted_values[k]


class Load:
    def __init__(self, args: argparse.Namespace, opts: BrokerOptions):
        self.args = args
        self.homes = [f"{args.home_prefix}-{i:0{max(3, len(str(args.homes)))}d}" for i in range(1, args.homes + 1)]
        for h in (self.homes[0], self.homes[-1]):
            check_name("home", h)
        self.devices = stream_devices(args.devices)
        self.count = args.count if args.count is not None else max(1, int(round(args.duration * args.rate)))
        self.prefix = args.id_prefix or f"load-{uuid.uuid4().hex[:8]}"
        n = self.count
        # 8 bytes per event and clock (a list of floats would take 32): a 20,000/s hour fits in 1.7 GB
        self.pub_mono = array("d", bytes(8 * n))
        self.pub_wall = array("d", bytes(8 * n))
        self.ack_mono = array("d", bytes(8 * n))
        self.sent = 0
        self.acked = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        self.window = args.window
        self.sem = threading.Semaphore(args.window)
        k = len(self.homes) if args.gateway_status else min(args.connections, len(self.homes))
        self.conns: list[Connection] = []
        for c in range(k):
            status = None
            if args.gateway_status:
                home = self.homes[c]
                status = StatusSpec(f"carehub/v1/{home}/gateway/status", "online", "offline")
            self.conns.append(
                Connection(f"{args.client_prefix}-{c + 1}-{uuid.uuid4().hex[:6]}", opts, status,
                           on_ack=self._on_ack, max_inflight=min(args.window, 65_000))
            )
        self.conn_index = {conn.client_id: i for i, conn in enumerate(self.conns)}
        self.pending: list[dict[int, int]] = [dict() for _ in self.conns]  # mid -> event index
        self.early: list[dict[int, float]] = [dict() for _ in self.conns]  # mid -> PUBACK time
        self.opts = opts
        self.t_start = 0.0
        self.t_end_send = 0.0

    def _on_ack(self, conn: Connection, mid: int, t: float) -> None:
        c = self.conn_index[conn.client_id]
        with self.lock:
            idx = self.pending[c].pop(mid, None)
            if idx is None:
                self.early[c][mid] = t  # the PUBACK beat publish() back to us
                return
            self.ack_mono[idx] = t
            self.acked += 1
        self.sem.release()

    def connect(self) -> None:
        for conn in self.conns:
            conn.connect_async()
        deadline = time.monotonic() + self.opts.connect_timeout
        for conn in self.conns:
            conn.wait_ready(deadline)

    def run(self, stop: threading.Event) -> None:
        homes, devices = self.homes, self.devices
        nh, nd, nc = len(homes), len(devices), len(self.conns)
        rate = self.args.rate
        per_device: dict[tuple[int, int], int] = {}
        topics = [[f"carehub/v1/{h}/{d[0]}/event" for d in devices] for h in homes]
        rooms = [d[2] for d in devices]
        prefix = self.prefix
        self.t_start = start = time.monotonic()
        for n in range(self.count):
            if stop.is_set():
                break
            due = start + n / rate
            delay = due - time.monotonic()
            if delay > 0:
                if stop.wait(delay):
                    break
            h = n % nh
            d = (n // nh) % nd
            k = per_device.get((h, d), 0) + 1
            per_device[(h, d)] = k
            kind = devices[d][1]
            on = k % 2 == 1
            value = ("true" if on else "false") if kind == "motion" else ('"open"' if on else '"closed"')
            wall = time.time()
            payload = (
                f'{{"id":"{prefix}-{n + 1}","ts":"{rfc3339_ms(int(wall * 1000))}","type":"{kind}",'
                f'"value":{value},"room":"{rooms[d]}","seq":{k}}}'
            )
            if not self.sem.acquire(timeout=self.opts.publish_timeout):
                raise PublishError(
                    f"{self.window} events stayed unacknowledged for {self.opts.publish_timeout:g} s "
                    f"({self.acked} of {self.sent} acknowledged so far)"
                )
            c = h % nc
            conn = self.conns[c]
            t_pub = time.monotonic()
            mid = conn.publish(topics[h][d], payload)
            released = False
            with self.lock:
                self.pub_mono[n] = t_pub
                self.pub_wall[n] = wall
                self.sent = n + 1
                t_ack = self.early[c].pop(mid, None)
                if t_ack is None:
                    self.pending[c][mid] = n
                else:
                    self.ack_mono[n] = t_ack
                    self.acked += 1
                    released = True
                in_flight = self.sent - self.acked
                if in_flight > self.max_in_flight:
                    self.max_in_flight = in_flight
            if released:
                self.sem.release()
        self.t_end_send = time.monotonic()

    def drain(self) -> bool:
        deadline = time.monotonic() + self.opts.publish_timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.acked >= self.sent:
                    return True
            time.sleep(0.005)
        with self.lock:
            return self.acked >= self.sent

    def close(self) -> None:
        for conn in self.conns:
            try:
                conn.close(send_offline=True)
            except Exception:  # pragma: no cover - best effort
                pass

    def report(self) -> dict[str, Any]:
        sent = self.sent
        lat = sorted(
            (self.ack_mono[i] - self.pub_mono[i]) * 1000.0 for i in range(sent) if self.ack_mono[i] > 0.0
        )
        send_s = max(1e-9, self.t_end_send - self.t_start)
        last_ack = max((self.ack_mono[i] for i in range(sent)), default=self.t_start)
        total_s = max(1e-9, max(last_ack, self.t_end_send) - self.t_start)

        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 3)

        return {
            "homes": len(self.homes),
            "devices_per_home": len(self.devices),
            "connections": len(self.conns),
            "target_rate": self.args.rate,
            "requested": self.count,
            "sent": sent,
            "acknowledged": self.acked,
            "unacknowledged": sent - self.acked,
            "send_duration_s": round(send_s, 3),
            "achieved_rate": round(sent / send_s, 1) if sent else 0.0,
            "acknowledged_rate": round(self.acked / total_s, 1) if self.acked else 0.0,
            "latency_ms": {
                "p50": r(percentile(lat, 50)),
                "p90": r(percentile(lat, 90)),
                "p99": r(percentile(lat, 99)),
                "max": r(lat[-1] if lat else None),
                "mean": r(sum(lat) / len(lat) if lat else None),
            },
            "window": self.window,
            "max_in_flight": self.max_in_flight,
            "id_prefix": self.prefix,
            "first_published_at": rfc3339_us(self.pub_wall[0]) if sent else None,
            "broker": f"{self.opts.host}:{self.opts.port}",
        }

    def write_record(self, path: str) -> None:
        homes = self.homes
        nh = len(homes)
        f = open_output(path)
        try:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["id", "home", "published_at"])
            for n in range(self.sent):
                w.writerow([f"{self.prefix}-{n + 1}", homes[n % nh], rfc3339_us(self.pub_wall[n])])
        finally:
            if f is not sys.stdout:
                f.close()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="load.py",
        description="Publish contract events from N homes x M devices at R events/s in total (QoS 1) and "
        "report sent, acknowledged, achieved rate and publish->PUBACK latency as JSON.",
        epilog="Exit status: 0 every event acknowledged; 1 failure or missing PUBACKs; 2 bad arguments.",
    )
    p.add_argument("--homes", type=int, default=10, help="number of homes (default 10)")
    p.add_argument("--devices", type=int, default=6, help="devices per home (default 6; pir-N and door-N)")
    p.add_argument("--rate", type=float, required=True, help="events per second, all homes together")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--count", type=int, help="number of events to send")
    how.add_argument("--duration", type=float, help="seconds to send for (count = duration x rate)")
    p.add_argument("--home-prefix", default="load", help="homes are <prefix>-001 ... (default load)")
    p.add_argument("--id-prefix", help="event ids are <prefix>-<n> (default load-<random>, so runs never collide)")
    p.add_argument("--record", metavar="FILE.csv", help="write id,home,published_at for every event sent")
    p.add_argument("--window", type=int, default=10_000,
                   help="max unacknowledged events (default 10000; at most 60000)")
    p.add_argument("--connections", type=int, default=4,
                   help="MQTT connections, homes spread over them (default 4)")
    p.add_argument("--gateway-status", action="store_true",
                   help="one connection per home with the retained online status and offline last will")
    p.add_argument("--host", default="127.0.0.1", help="broker host (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="broker port (default 1883, 8883 with --cafile)")
    p.add_argument("--username", help="MQTT user name")
    p.add_argument("--password", help="MQTT password (default: $CAREHUB_MQTT_PASSWORD)")
    p.add_argument("--cafile", help="CA certificate: connect with TLS")
    p.add_argument("--client-prefix", default="load", help="MQTT client id prefix (default load)")
    p.add_argument("--publish-timeout", type=float, default=30,
                   help="give up when no PUBACK frees the window for S s, and wait at most S s at the end (default 30)")
    p.add_argument("--connect-timeout", type=float, default=10, help="connect wait in s (default 10)")
    p.add_argument("--output", metavar="FILE.json", help="also write the report to this file")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.homes < 1 or args.devices < 1:
        parser.error("--homes and --devices must be at least 1")
    if not args.rate > 0:
        parser.error("--rate must be greater than 0")
    if args.count is not None and args.count < 1:
        parser.error("--count must be at least 1")
    if args.duration is not None and not args.duration > 0:
        parser.error("--duration must be greater than 0")
    if not 1 <= args.window <= 60_000:
        parser.error("--window must be 1 to 60000 (paho numbers in-flight messages with 16-bit ids)")
    if args.connections < 1:
        parser.error("--connections must be at least 1")
    if args.id_prefix is not None:
        try:
            check_name("--id-prefix", args.id_prefix)
        except ValueError as exc:
            parser.error(str(exc))
    port = args.port if args.port is not None else (8883 if args.cafile else 1883)
    opts = BrokerOptions(
        host=args.host, port=port, username=args.username,
        password=args.password if args.password is not None else os.environ.get("CAREHUB_MQTT_PASSWORD"),
        cafile=args.cafile, connect_timeout=args.connect_timeout, publish_timeout=args.publish_timeout,
    )
    try:
        load = Load(args, opts)
    except ValueError as exc:
        parser.error(str(exc))
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    code = 0
    connected = False
    try:
        load.connect()
        connected = True
        load.run(stop)
        if not load.drain():
            sys.stderr.write(
                f"load.py: {load.sent - load.acked} event(s) got no PUBACK within {opts.publish_timeout:g} s\n"
            )
            code = 1
    except PublishError as exc:
        sys.stderr.write(f"load.py: error: {exc}\n")
        code = 1
        if load.t_end_send == 0.0:
            load.t_end_send = time.monotonic()
    finally:
        if connected:
            load.close()
        else:
            for conn in load.conns:
                conn.client.loop_stop()
    if not connected:
        return 1
    if stop.is_set():
        sys.stderr.write("load.py: stopped by a signal; the report covers what was sent\n")
    report = load.report()
    text = json.dumps(report, indent=2)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
    if args.output:
        if args.output != "-":
            with open_output(args.output) as f:
                f.write(text + "\n")
    if args.record:
        load.write_record(args.record)
    if report["unacknowledged"]:
        code = 1
    return code


if __name__ == "__main__":
    sys.exit(main())
