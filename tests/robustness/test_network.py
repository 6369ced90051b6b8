"""The default path is offline: a whole `replay` with the bundled model never opens a network
connection or resolves a host name.

The tool runs as a child process with a `sitecustomize.py` on PYTHONPATH that replaces the
socket entry points (connect, connect_ex, sendto, create_connection, getaddrinfo) with
versions that log the attempt and raise. Local Unix sockets stay allowed. A marker file proves
the guard was loaded in the child.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

GUARD = textwrap.dedent('''
    """Test guard: record and refuse every network connection attempt (tests/robustness)."""
    import os
    import socket

    _LOG = os.environ["NET_GUARD_LOG"]
    with open(os.environ["NET_GUARD_MARKER"], "w") as _marker:
        _marker.write(str(os.getpid()))


    def _refuse(what, detail):
        with open(_LOG, "a") as log:
            log.write(f"{what} {detail!r}\\n")
        raise OSError(f"network access blocked by test guard: {what} {detail!r}")


    def _is_local(sock):
        return getattr(sock, "family", None) == getattr(socket, "AF_UNIX", object())


    _connect = socket.socket.connect
    _connect_ex = socket.socket.connect_ex
    _sendto = socket.socket.sendto


    def connect(self, address):
        if _is_local(self):
            return _connect(self, address)
        _refuse("connect", address)


    def connect_ex(self, address):
        if _is_local(self):
            return _connect_ex(self, address)
        _refuse("connect_ex", address)


    def sendto(self, data, *args):
        if _is_local(self):
            return _sendto(self, data, *args)
        _refuse("sendto", args[-1] if args else None)


    def create_connection(address, *args, **kwargs):
        _refuse("create_connection", address)


    def getaddrinfo(host, *args, **kwargs):
        _refuse("getaddrinfo", host)


    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.socket.sendto = sendto
    socket.create_connection = create_connection
    socket.getaddrinfo = getaddrinfo
''')


@pytest.mark.timeout(600)
def test_replay_with_the_bundled_model_makes_no_network_connection(tmp_path: Path) -> None:
    """Two shipped fixtures replayed with the default model: exit 0, zero connection attempts."""
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = tmp_path / "attempts.log"
    marker = tmp_path / "guard-loaded"
    env = {k: v for k, v in os.environ.items()
           if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")}
    env.update(PYTHONPATH=os.pathsep.join([str(guard_dir), str(ROOT)]),
               NET_GUARD_LOG=str(log), NET_GUARD_MARKER=str(marker))
    done = subprocess.run(
        [sys.executable, "-m", "simulator", "replay",
         str(ROOT / "audio_fixtures" / "manifest.json"),
         "--only", "zh-12-strong", "--only", "en-2-strong", "--json", "--threads", "2"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=540)
    assert marker.is_file(), "the guard sitecustomize.py was not loaded in the child"
    attempts = log.read_text() if log.exists() else ""
    assert attempts == "", f"network attempts:\n{attempts}\nstderr:\n{done.stderr[-3000:]}"
    assert done.returncode == 0, done.stderr[-3000:]
    document = json.loads(done.stdout)
    ids = [t["fixture"]["id"] for t in document["turns"]]
    assert ids == ["zh-12-strong", "en-2-strong"]
    assert all(t["transcript"]["text"] for t in document["turns"]), "the model really ran"
