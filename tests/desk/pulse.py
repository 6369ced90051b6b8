"""A PulseAudio "virtual desk": a private sound server with a fake speaker and microphone.

The live path of the tool opens sounddevice's *default* devices. On a machine without a sound
card, `VirtualDesk` starts its own PulseAudio daemon inside temporary directories, with two
null sinks: `speakers` is the default sink (what the tool plays can be recorded from
`speakers.monitor`), and `mic.monitor` is the default source (what the harness plays into the
`mic` sink is what the tool's microphone hears). A child process reaches this server, and
only this server, through `VirtualDesk.env`; nothing is written outside the temporary
directories and the user's own PulseAudio is never contacted. This automates the recipe in
the team's speech-stack notes (§4, Audio I/O).

Usable from pytest fixtures (tests/desk/conftest.py) and from plain scripts:

    with VirtualDesk() as desk:
        subprocess.run([sys.executable, "-m", "simulator"], env=desk.child_env(), timeout=60)
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import glob
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

_LOGGER = logging.getLogger(__name__)

SPEAKERS_SINK = "speakers"
"""Null sink the tool plays into (the default sink)."""
SPEAKERS_MONITOR = "speakers.monitor"
"""Source that hears everything played into `speakers`."""
MIC_SINK = "mic"
"""Null sink the harness plays answers into."""
MIC_SOURCE = "mic.monitor"
"""The tool's microphone (the default source)."""

INSTALL_HINT = "run scripts/install_system_deps.sh"
_REQUIRED_BINARIES = ("pulseaudio", "pactl", "paplay", "parec")
_KEEPALIVE_SINK = "desk_keepalive"
_KEEPALIVE_LATENCY_MS = 20
_SYSTEM_ALSA_CONF = Path("/usr/share/alsa/alsa.conf")
_ALSA_PULSE_PLUGIN_GLOBS = (
    "/usr/lib/*/alsa-lib/libasound_module_pcm_pulse.so",
    "/usr/lib/alsa-lib/libasound_module_pcm_pulse.so",
    "/usr/lib64/alsa-lib/libasound_module_pcm_pulse.so",
    "/usr/local/lib/alsa-lib/libasound_module_pcm_pulse.so",
)
# sockaddr_un.sun_path holds 108 bytes on Linux; a long TMPDIR would overflow it.
_MAX_SOCKET_PATH = 100
_WAV_HEADER_BYTES = 44
_PR_SET_PDEATHSIG = 1


class DeskError(RuntimeError):
    """The virtual desk could not be started or driven."""


@dataclass(frozen=True)
class SpeakerRecording:
    """A running `parec` capture of `speakers.monitor`; stop it with `stop_recording_speakers`."""

    path: Path
    """WAV file being written: 16 kHz, mono, int16."""
    process: subprocess.Popen[bytes]
    """The `parec` process."""


def _kill_with_parent() -> None:
    """Ask Linux to SIGTERM this child when its parent dies (runs between fork and exec).

    A test runner killed with SIGKILL cannot run `close()`; without this the daemon
    (started with --exit-idle-time=-1) would outlive it forever. Linux sends the signal when
    the *thread* that started the daemon exits, so start a desk from a thread that outlives it.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


class VirtualDesk:
    """A private PulseAudio server with null sinks `speakers` and `mic`, as a context manager.

    Attributes are valid between `start()` (or `__enter__`) and `close()` (or `__exit__`).
    """

    def __init__(self, *, start_timeout_s: float = 5.0, command_timeout_s: float = 5.0) -> None:
        """Prepare a desk; nothing runs until `start()`.

        Args:
            start_timeout_s: How long to wait for the daemon to answer `pactl info`.
            command_timeout_s: Limit for each `pactl` call and for stopping child processes.
        """
        self._start_timeout_s = start_timeout_s
        self._command_timeout_s = command_timeout_s
        self._base: Path | None = None
        self._daemon: subprocess.Popen[bytes] | None = None
        self._children: list[subprocess.Popen[bytes]] = []
        self._env: dict[str, str] = {}

    @classmethod
    def available(cls) -> tuple[bool, str]:
        """Whether this machine can run a virtual desk.

        Returns:
            (True, "") when the PulseAudio binaries, PortAudio and the ALSA pulse plugin are
            present; otherwise (False, a reason naming what is missing and how to install it).
        """
        if not sys.platform.startswith("linux"):
            return False, f"the PulseAudio virtual desk needs Linux, not {sys.platform}"
        missing = [name for name in _REQUIRED_BINARIES if shutil.which(name) is None]
        if missing:
            return False, (
                f"missing programs {', '.join(missing)} (packages pulseaudio, pulseaudio-utils): "
                f"{INSTALL_HINT}"
            )
        if ctypes.util.find_library("portaudio") is None:
            return False, f"PortAudio library not found (package libportaudio2): {INSTALL_HINT}"
        if not any(glob.glob(pattern) for pattern in _ALSA_PULSE_PLUGIN_GLOBS):
            return False, (
                f"ALSA PulseAudio plugin not found (package libasound2-plugins): {INSTALL_HINT}"
            )
        return True, ""

    @property
    def env(self) -> dict[str, str]:
        """Variables a child process needs to reach this desk (merge into its environment).

        PULSE_SERVER names the private socket; ALSA_CONFIG_PATH makes ALSA's `default` device
        (the one PortAudio and sounddevice pick) route to PulseAudio; the PULSE_* paths keep
        the client library away from ~/.config/pulse (no cookie written, no autospawn).
        """
        if not self._env:
            raise DeskError("the virtual desk is not started")
        return dict(self._env)

    def child_env(self) -> dict[str, str]:
        """The full environment for a child process: os.environ plus `env`.

        PULSE_SINK and PULSE_SOURCE are removed: pactl and paplay honour them (PortAudio's ALSA
        path does not), and a stray value from the caller's shell would redirect them.
        """
        merged = {k: v for k, v in os.environ.items() if k not in ("PULSE_SINK", "PULSE_SOURCE")}
        merged.update(self.env)
        return merged

    def __enter__(self) -> VirtualDesk:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> None:
        """Start the daemon, wait until it answers and set the default sink and source.

        Raises:
            DeskError: the daemon exited or did not answer within `start_timeout_s`.
        """
        if self._daemon is not None:
            raise DeskError("the virtual desk is already started")
        ok, reason = self.available()
        if not ok:
            raise DeskError(reason)
        base = Path(tempfile.mkdtemp(prefix="vdesk-"))
        if len(str(base)) + len("/run/pulse/native") > _MAX_SOCKET_PATH:
            shutil.rmtree(base)
            base = Path(tempfile.mkdtemp(prefix="vdesk-", dir="/tmp"))
        self._base = base
        try:
            self._env = self._prepare_dirs(base)
            self._start_daemon(base)
            self._configure()
        except BaseException:
            self.close()
            raise
        _LOGGER.info("virtual desk ready at %s", self._env["PULSE_SERVER"])

    def _prepare_dirs(self, base: Path) -> dict[str, str]:
        runtime = base / "run"
        pulse_runtime = runtime / "pulse"
        config = base / "config"
        state = base / "state"
        for directory in (runtime, pulse_runtime, config, state):
            # PulseAudio refuses a runtime directory that others can read.
            directory.mkdir(mode=0o700)
        client_conf = config / "client.conf"
        client_conf.write_text("autospawn = no\n")
        env = {
            "XDG_RUNTIME_DIR": str(runtime),
            "PULSE_RUNTIME_PATH": str(pulse_runtime),
            "PULSE_SERVER": f"unix:{pulse_runtime / 'native'}",
            "PULSE_CONFIG_PATH": str(config),
            "PULSE_STATE_PATH": str(state),
            "PULSE_CLIENTCONFIG": str(client_conf),
            "PULSE_COOKIE": str(config / "cookie"),
        }
        if _SYSTEM_ALSA_CONF.is_file():
            # Debian's pulseaudio package ships /etc/alsa/conf.d/99-pulse.conf, which already
            # points `default` at PulseAudio whenever a server answers; other systems may not.
            # A file listed after alsa.conf fills the gap; where the hook exists it wins anyway
            # (ALSA runs hooks last), with the same result.
            alsa_conf = base / "asound.conf"
            alsa_conf.write_text(
                "pcm.!default {\n    type pulse\n}\nctl.!default {\n    type pulse\n}\n"
            )
            inherited = os.environ.get("ALSA_CONFIG_PATH") or str(_SYSTEM_ALSA_CONF)
            env["ALSA_CONFIG_PATH"] = f"{inherited}:{alsa_conf}"
        return env

    def _start_daemon(self, base: Path) -> None:
        socket_path = self._env["PULSE_SERVER"].removeprefix("unix:")
        keepalive = (
            f"sink={_KEEPALIVE_SINK} latency_msec={_KEEPALIVE_LATENCY_MS} "
            "source_dont_move=true sink_dont_move=true"
        )
        command = [
            "pulseaudio",
            # Foreground child instead of -D: we own its pid, see it die at once with its log,
            # and it dies with us (PR_SET_PDEATHSIG) if the runner is killed.
            "--daemonize=no",
            "--system=no",
            "-n",  # no default.pa: only the modules below
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--realtime=no",
            "--high-priority=no",
            "--log-target=stderr",
            # Anonymous auth, no cookie: otherwise the daemon writes ~/.config/pulse/cookie.
            f"--load=module-native-protocol-unix socket={socket_path} "
            "auth-anonymous=1 auth-cookie-enabled=0",
            f"--load=module-null-sink sink_name={SPEAKERS_SINK}",
            f"--load=module-null-sink sink_name={MIC_SINK}",
            # A null sink renders in 2-second blocks while nothing asks for low latency, so a
            # freshly opened recording heard nothing for 0-2 s (measured first callback 0.9-2.0 s
            # after start). A low-latency reader on each monitor makes them behave like a card.
            f"--load=module-null-sink sink_name={_KEEPALIVE_SINK}",
            f"--load=module-loopback source={MIC_SOURCE} {keepalive}",
            f"--load=module-loopback source={SPEAKERS_MONITOR} {keepalive}",
        ]
        env = {**os.environ, **self._env}
        log_path = base / "pulseaudio.log"
        with log_path.open("wb") as log:
            self._daemon = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C meant for pytest must not kill it first
                preexec_fn=_kill_with_parent,
            )
        deadline = time.monotonic() + self._start_timeout_s
        while True:
            if self._daemon.poll() is not None:
                raise DeskError(
                    f"pulseaudio exited with code {self._daemon.returncode}: {self._log_tail()}"
                )
            probe = self._run(["pactl", "info"], check=False)
            if probe.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise DeskError(
                    f"pulseaudio did not answer within {self._start_timeout_s} s: "
                    f"{probe.stderr.strip()} {self._log_tail()}"
                )
            time.sleep(0.05)

    def _configure(self) -> None:
        self.pactl("set-default-sink", SPEAKERS_SINK)
        self.pactl("set-default-source", MIC_SOURCE)
        # The sinks were already sleeping a 2-second block when the loopbacks asked for low
        # latency; a suspend/resume cycle restarts their timers at once.
        for sink in (SPEAKERS_SINK, MIC_SINK):
            self.pactl("suspend-sink", sink, "1")
            self.pactl("suspend-sink", sink, "0")

    def _log_tail(self, num_chars: int = 2000) -> str:
        if self._base is None:
            return ""
        log_path = self._base / "pulseaudio.log"
        try:
            text = log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return f"(log: {text[-num_chars:].strip()})"

    def _run(self, command: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        try:
            result = subprocess.run(
                command,
                env=self.child_env(),
                capture_output=True,
                text=True,
                timeout=self._command_timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired as e:
            raise DeskError(f"{' '.join(command)} timed out after {e.timeout} s") from e
        if check and result.returncode != 0:
            raise DeskError(
                f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()}"
            )
        return result

    def pactl(self, *args: str) -> str:
        """Run `pactl` against this desk.

        Returns:
            Its standard output.

        Raises:
            DeskError: it failed or timed out.
        """
        return self._run(["pactl", *args]).stdout

    def _spawn(self, command: list[str]) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            command,
            env=self.child_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._children.append(process)
        return process

    def play_into_mic(self, wav_path: str | os.PathLike[str]) -> subprocess.Popen[bytes]:
        """Start playing a WAV file into the microphone; the tool hears it as its input.

        Args:
            wav_path: Any WAV file paplay reads (PulseAudio resamples).

        Returns:
            The running `paplay`; `wait(timeout=…)` on it to know when playback ended.
        """
        return self._spawn(["paplay", f"--device={MIC_SINK}", os.fspath(wav_path)])

    def start_recording_speakers(
        self, path: str | os.PathLike[str], *, ready_timeout_s: float = 5.0
    ) -> SpeakerRecording:
        """Record what the tool plays, returning once audio is flowing into the file.

        Args:
            path: WAV file to write (16 kHz, mono, int16).
            ready_timeout_s: How long to wait for the first samples.

        Returns:
            A handle for `stop_recording_speakers`.

        Raises:
            DeskError: `parec` exited or wrote nothing within `ready_timeout_s`.
        """
        wav_path = Path(path)
        process = self._spawn(
            [
                "parec",
                f"--device={SPEAKERS_MONITOR}",
                "--file-format=wav",
                "--format=s16le",
                "--rate=16000",
                "--channels=1",
                f"--latency-msec={_KEEPALIVE_LATENCY_MS}",
                str(wav_path),
            ]
        )
        recording = SpeakerRecording(path=wav_path, process=process)
        deadline = time.monotonic() + ready_timeout_s
        while not (wav_path.exists() and wav_path.stat().st_size > _WAV_HEADER_BYTES):
            if process.poll() is not None or time.monotonic() > deadline:
                stderr = self._stop(process)
                raise DeskError(f"parec recorded nothing from {SPEAKERS_MONITOR}: {stderr}")
            time.sleep(0.01)
        return recording

    def stop_recording_speakers(self, recording: SpeakerRecording) -> Path:
        """Stop a recording; parec finishes the WAV header on SIGINT.

        Returns:
            The path of the complete WAV file.
        """
        self._stop(recording.process)
        return recording.path

    def _stop(self, process: subprocess.Popen[bytes]) -> str:
        """Stop a child of ours (SIGINT, then SIGKILL) and return what it wrote to stderr."""
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=self._command_timeout_s)
            except subprocess.TimeoutExpired:
                _LOGGER.warning("pid %d ignored SIGINT; killing it", process.pid)
                process.kill()
                process.wait(timeout=self._command_timeout_s)
        stderr = ""
        if process.stderr is not None and not process.stderr.closed:
            stderr = process.stderr.read().decode(errors="replace").strip()
            process.stderr.close()
        with contextlib.suppress(ValueError):
            self._children.remove(process)
        return stderr

    def unload_mic(self) -> None:
        """Remove the microphone (the `mic` null sink and `mic.monitor`), as if unplugged.

        Like a desktop PulseAudio, the server then *moves* open recordings to the new default
        source (`speakers.monitor`): the tool keeps receiving blocks, without an error. Use
        `suspend_mic` to make blocks stop arriving instead.

        Raises:
            DeskError: the mic is not loaded.
        """
        for line in self.pactl("list", "short", "modules").splitlines():
            fields = line.split("\t")
            if len(fields) >= 3 and fields[1] == "module-null-sink":
                if f"sink_name={MIC_SINK}" in fields[2].split():
                    self.pactl("unload-module", fields[0])
                    return
        raise DeskError(f"no null sink named {MIC_SINK!r} is loaded")

    def suspend_mic(self, suspended: bool = True) -> None:
        """Freeze (or resume) the microphone: open recordings stay open but get no blocks.

        Measured: while frozen, sounddevice's `stream.stop()` (and so leaving `with stream:`)
        blocks until the mic resumes; `stream.abort()` returns at once.
        """
        self.pactl("suspend-sink", MIC_SINK, "1" if suspended else "0")

    def close(self) -> None:
        """Stop child processes and the daemon, then delete the temporary directories."""
        for process in list(self._children):
            self._stop(process)
        if self._daemon is not None:
            if self._daemon.poll() is None:
                self._daemon.terminate()
                try:
                    self._daemon.wait(timeout=self._command_timeout_s)
                except subprocess.TimeoutExpired:
                    _LOGGER.warning("pulseaudio ignored SIGTERM; killing it")
                    self._daemon.kill()
                    self._daemon.wait(timeout=self._command_timeout_s)
            self._daemon = None
        if self._base is not None:
            shutil.rmtree(self._base, ignore_errors=True)
            self._base = None
        self._env = {}
