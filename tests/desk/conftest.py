"""Fixtures for the virtual-desk tests: a private PulseAudio server per test module.

Without the system packages the desk tests skip on a developer's machine but fail in CI
(CI=true), where a skipped live path would silently hide a broken install step.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .pulse import INSTALL_HINT, VirtualDesk


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _require_desk() -> None:
    ok, reason = VirtualDesk.available()
    if ok:
        return
    message = f"PulseAudio virtual desk unavailable: {reason}"
    if INSTALL_HINT not in message:
        message = f"{message}; {INSTALL_HINT}"
    if _in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def desk() -> Iterator[VirtualDesk]:
    """A started VirtualDesk, shared by the tests of one module."""
    _require_desk()
    with VirtualDesk() as started:
        yield started


@pytest.fixture
def fresh_desk() -> Iterator[VirtualDesk]:
    """A VirtualDesk of its own, for a test that breaks it (unloads or freezes the mic)."""
    _require_desk()
    with VirtualDesk() as started:
        yield started
