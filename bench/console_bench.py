#!/usr/bin/env python3
"""A new emergency on the open console: time from a pendant's publish to its row on the queue page of a real
headless Chromium (Debian's chromium and chromium-driver), signed in to a running `carehub serve --http`, over
`presses` presses, each in a home of its own. Baseline, in the same run: a plain MQTT subscriber seeing each press.

The page records, with a MutationObserver, the wall-clock moment each home's row enters the table; the publisher
records the moment just before each publish. Both clocks are this machine's.

Usage: bench/console_bench.py --carehub .build/release/carehub [--presses 100] [--gap 0.3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import ingest_bench

OBSERVER = """
window.__seen = {};
const body = document.querySelector('#queue tbody');
new MutationObserver(records => {
  const now = Date.now();
  for (const record of records) for (const node of record.addedNodes) {
    const home = node.querySelector && node.querySelector("a[data-field='home']");
    if (home && !(home.textContent in window.__seen)) window.__seen[home.textContent] = now;
  }
}).observe(body, {childList: true, subtree: true});
"""


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download a browser or driver.
    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)


def measure(carehub: str, workdir: Path, presses: int, gap: float) -> dict:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    db = workdir / "console.sqlite"
    password = workdir / "console.pw"
    password.write_text("console bench password\n")
    subprocess.run([carehub, "users", "add", "Bench Carer", "--role", "carer", "--password-file", str(password), "--db", str(db)],
                   check=True, capture_output=True)
    broker = ingest_bench.Broker(workdir)
    http_port = ingest_bench.free_port()
    log = open(workdir / "hub.log", "wb")
    hub = subprocess.Popen([carehub, "serve", "--db", str(db), "--broker", f"mqtt://127.0.0.1:{broker.port}", "--http", str(http_port),
                            "--log-level", "warning"], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    driver = None
    seen_by_subscriber: dict[str, float] = {}
    subscriber = publisher = None
    try:
        ingest_bench.wait_for_port(http_port, timeout=120)
        driver = browser()
        base = f"http://127.0.0.1:{http_port}"
        driver.get(base + "/login")
        driver.find_element(By.ID, "name").send_keys("Bench Carer")
        driver.find_element(By.ID, "password").send_keys("console bench password")
        driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button").click()
        wait = WebDriverWait(driver, 30, poll_frequency=0.05)
        wait.until(lambda d: d.execute_script("return document.documentElement.dataset.live") == "open")
        driver.execute_script(OBSERVER)

        lock = threading.Lock()

        def on_message(_client, _userdata, message):
            received = time.time()
            home = message.topic.split("/")[2]
            with lock:
                seen_by_subscriber.setdefault(home, received)

        subscriber = ingest_bench.connect(broker.port, client_id="console-bench-baseline")
        subscriber.on_message = on_message
        subscriber.subscribe("carehub/v1/+/+/event", qos=1)
        publisher = ingest_bench.connect(broker.port, client_id="console-bench-gateway")
        time.sleep(1)
        published: dict[str, float] = {}
        for index in range(presses):
            home = f"press-{index:03d}"
            payload = json.dumps({"id": f"console-{index}", "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "type": "pendant",
                                  "room": "hall"})
            published[home] = time.time()
            publisher.publish(f"carehub/v1/{home}/pendant-1/event", payload, qos=1)
            time.sleep(gap)
        deadline = time.monotonic() + 30
        seen: dict = {}
        while time.monotonic() < deadline:
            seen = driver.execute_script("return window.__seen")
            if len(seen) >= presses:
                break
            time.sleep(0.2)
        console = [seen[home] / 1000 - at for home, at in published.items() if home in seen]
        baseline = [seen_by_subscriber[home] - at for home, at in published.items() if home in seen_by_subscriber]
        rows = len(driver.find_elements(By.CSS_SELECTOR, "#queue tbody tr"))
        return {
            "presses": presses, "seen": len(console), "rows": rows, "gap_s": gap,
            "console_p50_s": statistics.median(console) if console else float("inf"),
            "console_p99_s": ingest_bench.percentile(console, 0.99) if console else float("inf"),
            "console_max_s": max(console) if console else float("inf"),
            "baseline_p50_s": statistics.median(baseline) if baseline else float("inf"),
            "baseline_p99_s": ingest_bench.percentile(baseline, 0.99) if baseline else float("inf"),
        }
    finally:
        if driver is not None:
            driver.quit()
        for client in (subscriber, publisher):
            if client is not None:
                client.loop_stop()
                client.disconnect()
        hub.terminate()
        hub.wait(timeout=10)
        log.close()
        broker.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--carehub", default=str(ingest_bench.ROOT / ".build/release/carehub"))
    parser.add_argument("--presses", type=int, default=100)
    parser.add_argument("--gap", type=float, default=0.3, help="seconds between presses")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="carehub-console-bench-") as directory:
        print(json.dumps(measure(arguments.carehub, Path(directory), arguments.presses, arguments.gap), indent=2))


if __name__ == "__main__":
    main()
