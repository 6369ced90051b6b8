"""Issue 15, help: every option of every command says what it does, each command offers only
the options it uses, and every help page ends with an example and the exit codes."""

from __future__ import annotations

import argparse

import pytest

from simulator.cli.parser import build_parser

LIVE_ONLY = {"--sentence-end-silence-s", "--batch-transcription"}
"""Options only a live microphone uses (replayed files arrive at once)."""
ANSWER_OPTIONS = {"--silence-s", "--max-answer-s", "--no-speech-timeout-s"} | LIVE_ONLY
"""Options for how a recorded answer ends (`transcribe` and `score` read whole files)."""
DEVICE_OPTIONS = {"--input-device", "--output-device", "--voice", "--no-voice"}


def _commands() -> dict[str, argparse.ArgumentParser]:
    """Every help page by command line: "", "practice", ..., "history import"."""
    pages = {"": build_parser()}
    todo = [""]
    while todo:
        name = todo.pop()
        for action in pages[name]._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub_name, sub in action.choices.items():
                    pages[f"{name} {sub_name}".strip()] = sub
                    todo.append(f"{name} {sub_name}".strip())
    return pages


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {flag for action in parser._actions for flag in action.option_strings}


@pytest.mark.parametrize("name", list(_commands()))
def test_every_option_has_help(name: str) -> None:
    """Every option and positional of every command has help text (before: --beam-size,
    --max-answer-s, --no-speech-timeout-s, --json, score --text/--audio/--question,
    transcribe FILES and import DOCUMENT had none)."""
    parser = _commands()[name]
    missing = [action.option_strings or action.dest for action in parser._actions
               if not (action.help or "").strip() or action.help == argparse.SUPPRESS]
    assert missing == [], f"{name or 'interview-sim'}: no help for {missing}"


@pytest.mark.parametrize("name", list(_commands()))
def test_every_help_page_shows_an_example_and_the_exit_codes(name: str) -> None:
    """Each page ends with `interview-sim ...` examples for that command and the exit codes
    (2 for a bad input, 130 for Ctrl-C; 1 only where --check exists)."""
    page = _commands()[name].format_help()
    assert "examples:" in page and "exit codes:" in page
    assert f"interview-sim {name}".rstrip() in page.split("examples:")[1]
    codes = page.split("exit codes:")[1]
    for code in ("0 ", "2 ", "130 "):
        assert f"  {code}" in codes, codes
    assert ("  1 " in codes) == (name in ("", "replay")), codes


@pytest.mark.parametrize(("name", "absent"), [
    pytest.param("replay", LIVE_ONLY | {"--input-device"}, id="replay"),
    pytest.param("transcribe", ANSWER_OPTIONS | DEVICE_OPTIONS, id="transcribe"),
    pytest.param("score", ANSWER_OPTIONS | DEVICE_OPTIONS, id="score"),
    pytest.param("banks", ANSWER_OPTIONS | DEVICE_OPTIONS | {"--model"}, id="banks"),
    pytest.param("import", ANSWER_OPTIONS | DEVICE_OPTIONS | {"--model"}, id="import"),
])
def test_commands_offer_only_the_options_they_use(name: str, absent: set[str]) -> None:
    """`transcribe` and `score` read whole files (no endpointing, no devices); `replay` has no
    microphone, so no live-microphone options (before: all were listed and ignored)."""
    assert _options(_commands()[name]) & absent == set()


@pytest.mark.parametrize("name", ["practice", "call"])
def test_live_commands_keep_their_microphone_options(name: str) -> None:
    """The commands that do listen to a microphone keep every option for it."""
    assert ANSWER_OPTIONS | {"--input-device"} <= _options(_commands()[name])


def test_a_removed_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An option a command does not use is refused (exit 2, naming it), not silently kept."""
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["transcribe", "a.wav", "--silence-s", "2"])
    assert info.value.code == 2
    assert "--silence-s" in capsys.readouterr().err
