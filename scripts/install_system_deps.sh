#!/usr/bin/env bash
# Install the system packages the live audio path and its tests need (Debian/Ubuntu).
#
#   libportaudio2       PortAudio, which sounddevice loads (microphone and speaker)
#   libsndfile1         libsndfile, which soundfile loads
#   pulseaudio          the sound server of the test "virtual desk" (tests/desk/pulse.py)
#   pulseaudio-utils    pactl, paplay, parec: the harness drives the desk with them
#   libasound2-plugins  the ALSA pulse plugin: PortAudio's ALSA "default" device reaches PulseAudio
#   chromium            headless browser for the HTML report tests (driven over its DevTools pipe)
#   fonts-wqy-microhei  a CJK font (simplified and traditional), so the report renders Chinese
#   strace              the privacy test watches the tool's own system calls (no socket, no
#                       connect, no file written outside the session and the model caches)
#
# Idempotent: packages already installed are only reported, and a second run touches nothing.
# Without apt-get it prints what to install and exits 0: the Python parts (replay mode, unit
# tests) work without these; only the live path and the desk tests need them.
set -euo pipefail

PACKAGES=(libportaudio2 libsndfile1 pulseaudio pulseaudio-utils libasound2-plugins chromium
          fonts-wqy-microhei strace)

log() {
    echo "install_system_deps: $*"
}

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1; then
    log "apt-get not found (not Debian/Ubuntu); nothing installed."
    log "Install these with your package manager: PortAudio (Debian: libportaudio2),"
    log "libsndfile (libsndfile1), PulseAudio and its tools pactl/paplay/parec (pulseaudio,"
    log "pulseaudio-utils), the ALSA PulseAudio plugin (libasound2-plugins) and strace."
    log "The Python parts work without them; the live microphone/speaker path and the"
    log "desk tests (pytest -m desk) need them; the report's browser tests need Chromium and"
    log "a CJK font (Debian: chromium, fonts-wqy-microhei); without Chromium they skip (and"
    log "fail in CI, CI=true)."
    exit 0
fi

is_installed() {
    dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed$'
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    if is_installed "$pkg"; then
        log "$pkg already installed"
    elif [[ "$pkg" == pulseaudio ]] && is_installed pipewire-pulse; then
        # pulseaudio conflicts with pipewire-pulse: apt would remove the desktop's sound server.
        log "skipping pulseaudio: pipewire-pulse is installed and apt would remove it;"
        log "run the desk tests (pytest -m desk) in CI or a container instead"
    else
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    log "nothing to do"
    exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo_cmd=(sudo)
    else
        log "not root and sudo not found; as root, run:"
        log "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
        exit 1
    fi
fi

# `sudo env VAR=…` rather than `sudo VAR=…`: sudoers may refuse variables on the command line.
apt=("${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120)

log "missing: ${missing[*]}"
log "running apt-get update"
"${apt[@]}" update -qq
log "installing ${missing[*]}"
"${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}"
log "done"
