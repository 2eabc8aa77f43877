"""The README's first command: `make lab` serves JupyterLab on 127.0.0.1 with notebooks/."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from conftest import REPO


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_makefile_lab_serves_jupyterlab_on_localhost(tmp_path):
    port, token = free_port(), "kit-test-token"
    env = {**os.environ, "JUPYTER_TOKEN": token, "BROWSER": "true",
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    # The set-up steps are up to date in a test run, so this only starts JupyterLab.
    proc = subprocess.Popen(["make", "--no-print-directory", "lab", f"LAB_PORT={port}"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        status = contents = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                headers = {"Authorization": f"token {token}"}
                with urllib.request.urlopen(urllib.request.Request(
                        f"http://127.0.0.1:{port}/api/status", headers=headers), timeout=2) as r:
                    status = json.load(r)
                with urllib.request.urlopen(urllib.request.Request(
                        f"http://127.0.0.1:{port}/api/contents", headers=headers), timeout=5) as r:
                    contents = json.load(r)
                break
            except OSError:
                time.sleep(0.5)
        assert status is not None, proc.stdout.read().decode() if proc.poll() is not None else \
            "JupyterLab did not answer /api/status in 90 s"
        assert "started" in status
        names = {item["name"] for item in contents["content"]}
        assert "00_start_here.ipynb" in names, f"server root is not notebooks/: {names}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
