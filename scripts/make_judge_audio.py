"""Speak a stratified subset of a split of the judge's evaluation set, so the whole loop
(Whisper, then the judge) is measured from audio too (`eval_scoring.py --audio`).

Mandarin answers are spoken by Kokoro (the voice extra), English ones by pyttsx3 with eSpeak
NG, with the voices and treatment of `scripts/make_fixtures.py`; files are 16 kHz mono FLAC
in audio_fixtures/judge/ with a manifest (the test split's shipped set), or in `--out` (for
example the dev split's, which is not shipped: `--split dev --out DIR`). Deterministic: one
ONNX thread, a fresh eSpeak process per answer.

Usage: .venv/bin/python scripts/make_judge_audio.py [--per-language 12] [--split test|dev]
       [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from itertools import cycle
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import judge_eval as je  # noqa: E402
from make_fixtures import RATE_HZ, _normalise_speech, _pad, _Voices  # noqa: E402

OUT = je.ROOT / "audio_fixtures" / "judge"
VOICES = {"zh": ("jf_nezumi", "jm_kumo"), "en": ("en-us", "en-gb-x-rp")}


def choose(answers: list[je.EvalAnswer], per_language: int) -> list[je.EvalAnswer]:
    """Round-robin over the kinds, in id order, so every kind is spoken."""
    chosen = []
    for language in ("zh", "en"):
        by_kind: dict[str, list[je.EvalAnswer]] = {}
        for answer in sorted(answers, key=lambda a: a.id):
            if answer.language == language:
                by_kind.setdefault(answer.kind, []).append(answer)
        picked: list[je.EvalAnswer] = []
        for kind in cycle(je.KINDS):
            if len(picked) >= per_language or not any(by_kind.values()):
                break
            if by_kind.get(kind):
                picked.append(by_kind[kind].pop(0))
        chosen += picked
    return chosen


def main(argv: list[str] | None = None) -> int:
    import soundfile as sf

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-language", type=int, default=12)
    parser.add_argument("--split", choices=("test", "dev"), default="test")
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder (default {OUT})")
    args = parser.parse_args(argv)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    voices = _Voices()
    entries = []
    for n, answer in enumerate(choose(je.load_answers(split=args.split), args.per_language)):
        voice = VOICES[answer.language][n % 2]
        speech = _pad(_normalise_speech(voices.speak(answer.language, answer.answer, voice)))
        path = out / f"{answer.id}.flac"
        sf.write(path, np.clip(speech, -1, 1), RATE_HZ, subtype="PCM_16")
        entries.append({"id": answer.id, "file": path.name, "language": answer.language,
                        "kind": answer.kind, "voice": voice,
                        "duration_s": round(len(speech) / RATE_HZ, 2),
                        "sha256": hashlib.sha256(path.read_bytes()).hexdigest()})
        print(f"{path.name}: {entries[-1]['duration_s']} s", flush=True)
    manifest = {"about": f"Spoken {args.split}-split answers of tests/data/judge_eval (see "
                         "scripts/make_judge_audio.py); evaluation only.", "answers": entries}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
