"""The care team's console in a real browser: Debian's headless Chromium (chromium, chromium-driver; nothing is
downloaded) against a real `carehub serve --http` beside a real mosquitto. It signs in, watches a pendant published
at the broker appear live on the queue, acknowledges it with a note, and checks the home's heat map renders.

Each page's screenshot is saved in the test's temporary directory, or in CAREHUB_SCREENSHOTS when set
(`CAREHUB_SCREENSHOTS=docs/screenshots .venv/bin/python -m pytest -q http_tests/test_console_browser.py` refreshes
the ones docs/http.md shows).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import now_rfc3339, publish, running_hub

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# Generous: the machine may be loaded. The ≤ 1 s target is the stream's (measured end to end in Swift).
WAIT = 20


@pytest.fixture(scope="module")
def console_hub(tmp_path_factory: pytest.TempPathFactory):
    # A hub of its own: schemathesis' generated sign-ins would count against this address on the shared one.
    with running_hub(tmp_path_factory.mktemp("carehub-console"), name="Cara Browser", secret="browser password") as hub:
        yield hub


@pytest.fixture(scope="module")
def browser():
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        pytest.fail("chromium and chromium-driver are not installed: apt-get install -y chromium chromium-driver "
                    "(scripts/setup.sh does)", pytrace=False)
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download a browser or driver.
    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,900", "--lang=en-GB", "--no-first-run"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = Path(os.environ.get("CAREHUB_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def test_sign_in_see_a_pendant_live_acknowledge_it_and_see_the_heat_map(console_hub, browser, screenshots):
    wait = WebDriverWait(browser, WAIT)
    browser.get(console_hub.base_url + "/")
    wait.until(EC.url_contains("/login"))
    browser.save_screenshot(str(screenshots / "sign-in.png"))
    browser.find_element(By.ID, "name").send_keys(console_hub.name)
    browser.find_element(By.ID, "password").send_keys(console_hub.password)
    browser.find_element(By.CSS_SELECTOR, "form[action='/login'] button").click()
    wait.until(EC.presence_of_element_located((By.ID, "queue")))
    assert browser.current_url.rstrip("/") == console_hub.base_url, "signing in lands on the queue"
    # The stream is open before the press, so the press is a change after the stream's start.
    wait.until(lambda driver: driver.execute_script("return document.documentElement.dataset.live") == "open")

    # Published from a thread: the client's own teardown (up to a second) must not count as the console's time.
    press = threading.Thread(target=publish, args=(console_hub.broker_port, "carehub/v1/flat-7/pendant-7/event",
                                                   {"id": "browser-press", "ts": now_rfc3339(), "type": "pendant", "room": "hall"}))
    published = time.monotonic()
    press.start()
    row = WebDriverWait(browser, WAIT, poll_frequency=0.05).until(EC.presence_of_element_located(
        (By.XPATH, "//tbody/tr[.//a[@data-field='home' and text()='flat-7']]")))
    seen = time.monotonic() - published
    press.join(timeout=WAIT)
    print(f"console: the pendant's row appeared {seen:.2f} s after the publish began")
    assert "fresh" in row.get_attribute("class"), "a new row is highlighted"
    assert browser.find_element(By.ID, "announce").text.startswith("New: emergency pendant at flat-7")
    rows = browser.find_elements(By.CSS_SELECTOR, "#queue tbody tr")
    assert [r.get_attribute("data-rank") for r in rows] == sorted(r.get_attribute("data-rank") for r in rows)
    browser.save_screenshot(str(screenshots / "queue.png"))

    incident = row.get_attribute("data-id")
    row.find_element(By.NAME, "note").send_keys("Calling her now")
    row.find_element(By.CSS_SELECTOR, "form.ack button").click()
    wait.until(EC.url_contains(f"#incident-{incident}"))
    state = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, f"#incident-{incident} [data-field='state']")))
    assert state.text == "acknowledged"
    assert console_hub.name in browser.find_element(By.CSS_SELECTOR, f"#incident-{incident} [data-field='acknowledged']").text

    publish(console_hub.broker_port, "carehub/v1/flat-7/pir-7/event",
            {"id": "browser-motion", "ts": now_rfc3339(), "type": "motion", "room": "kitchen", "value": True})
    browser.get(console_hub.base_url + "/homes")
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "a[href='/homes/flat-7']")))
    browser.save_screenshot(str(screenshots / "homes.png"))

    def heat_map_has_the_kitchen(driver):
        driver.get(console_hub.base_url + "/homes/flat-7")
        return driver.find_elements(By.XPATH, "//*[local-name()='svg' and @id='heatmap']//*[local-name()='text' and text()='kitchen']")
    WebDriverWait(browser, WAIT, poll_frequency=0.5).until(heat_map_has_the_kitchen)
    heat_map = browser.find_element(By.ID, "heatmap")
    assert heat_map.size["width"] > 300 and heat_map.size["height"] > 20, "the heat map is drawn"
    assert len(heat_map.find_elements(By.TAG_NAME, "rect")) % 24 == 0
    browser.save_screenshot(str(screenshots / "home.png"))

    browser.set_window_size(390, 844)
    browser.get(console_hub.base_url + "/")
    wait.until(EC.presence_of_element_located((By.ID, "queue")))
    browser.save_screenshot(str(screenshots / "queue-phone.png"))
    browser.set_window_size(1280, 900)
