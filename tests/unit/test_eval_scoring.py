"""`scripts/eval_scoring.py`: a folder of spoken answers without its manifest is named in one
line before anything is loaded (exit 2), not after minutes of scoring."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_missing_audio_manifest_is_named_in_one_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "eval_scoring.py"), "--audio",
                           "--audio-dir", str(tmp_path / "spoken")], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"eval_scoring: {tmp_path / 'spoken' / 'manifest.json'} not found (spoken answers are "
        "made by scripts/make_judge_audio.py --out DIR)")
    assert not done.stdout
