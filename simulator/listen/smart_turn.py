"""Smart Turn v3.2: how likely it is that a speaker has finished, heard from their voice.

Smart Turn (pipecat-ai, BSD-2) is a small Whisper-encoder classifier. It reads the last 8 s
of what a speaker said, up to now, as an 80 x 800 log-mel and returns the probability that
the turn is complete. Its int8 ONNX file ships inside the `pipecat-ai` wheel; setup copies it
into the model cache (`smart_turn_model.py`), and this adapter runs it with onnxruntime on
one thread, without importing pipecat (whose declared dependencies are heavy).

The input preparation reproduces pipecat 1.14.0 (`local_smart_turn_v3._predict_endpoint`
and `_whisper_features.compute_whisper_log_mel_features`), checked bit-identical against
pipecat's own code on 48 inputs (issue 13 research):

1. the last 8 s (128 000 samples), zero-padded at the front when shorter;
2. normalised over the whole window, padding included: (x - mean) / sqrt(var + 1e-7);
3. Whisper log-mel with faster-whisper's `FeatureExtractor.stft` and Slaney mel filters:
   n_fft 400, hop 160, periodic Hann, centred reflect padding, power spectrum, log10 floored
   at 1e-10, the trailing frame dropped, clamped to max - 8, then (x + 4) / 4;
4. input `input_features` (1, 80, 800) -> output (1, 1), already a sigmoid probability.

Step 3 runs in float64, as pipecat's copy does: `FeatureExtractor.__call__` computes the
same steps in float32, within 1e-5 of pipecat's features, yet that moved some probabilities
of the int8 model by up to 0.16 and flipped a 0.5 decision on 1 input of 48.
onnxruntime and faster-whisper are imported inside `SmartTurnModel.__init__` only.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from simulator.audio.pcm import SAMPLE_RATE_HZ, Block
from simulator.errors import ModelError

_LOGGER = logging.getLogger(__name__)

WINDOW_SAMPLES = 8 * SAMPLE_RATE_HZ
"""The model hears exactly the last 8 s."""
_NORM_EPS = 1e-7
_N_FFT = 400
_HOP = 160
_N_MELS = 80
_FRAMES = 800
_INPUT_NAME = "input_features"


def last_window(audio: Block) -> Block:
    """The last 8 s of `audio`, zero-padded at the front when shorter (float32)."""
    x = np.asarray(audio, dtype=np.float32).reshape(-1)
    if len(x) >= WINDOW_SAMPLES:
        return x[len(x) - WINDOW_SAMPLES:]
    return np.concatenate([np.zeros(WINDOW_SAMPLES - len(x), np.float32), x])


class SmartTurnModel:
    """The Smart Turn v3 ONNX model: `finished_probability(audio)` in 0..1.

    One instance serves one thread at a time (the turn-end worker).
    """

    def __init__(self, onnx_path: Path, threads: int = 1) -> None:
        """Load the model.

        Args:
            onnx_path: the verified `smart-turn-v3.2-cpu.onnx` in the model cache.
            threads: onnxruntime intra-op threads (1: the model is small; the cores are
                Whisper's).

        Raises:
            ModelError: onnxruntime is missing or the file is not a Smart Turn v3 model.
        """
        try:
            import onnxruntime as ort
            from faster_whisper.feature_extractor import FeatureExtractor
        except ImportError as e:
            raise ModelError(f"the end-of-turn model needs onnxruntime ({e}); "
                             "install the voice extra: pip install -e '.[voice]'") from e
        # Telemetry off before the first session exists (it reads the switch then).
        ort.disable_telemetry_events()
        options = ort.SessionOptions()
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = threads
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self._session: Any = ort.InferenceSession(str(onnx_path), sess_options=options,
                                                      providers=["CPUExecutionProvider"])
        except Exception as e:  # noqa: BLE001 - onnxruntime raises its own untyped errors
            raise ModelError(f"{onnx_path}: cannot load the end-of-turn model ({e})") from e
        inputs = self._session.get_inputs()
        if ([i.name for i in inputs] != [_INPUT_NAME]
                or list(inputs[0].shape[1:]) != [_N_MELS, _FRAMES]):
            raise ModelError(f"{onnx_path}: not a Smart Turn v3 model")
        self._stft = FeatureExtractor.stft
        self._mel_filters = FeatureExtractor.get_mel_filters(SAMPLE_RATE_HZ, _N_FFT,
                                                             n_mels=_N_MELS)  # (80, 201) f64
        self._window = np.hanning(_N_FFT + 1)[:-1]  # periodic Hann, as torch.hann_window

    def features(self, audio: Block) -> np.ndarray:
        """The model input for `audio` (float32 mono 16 kHz): float32 (80, 800) log-mel."""
        x = last_window(audio)
        x = (x - x.mean()) / np.sqrt(x.var() + np.float32(_NORM_EPS))
        spectrum = self._stft(x.astype(np.float64), _N_FFT, _HOP, window=self._window,
                              return_complex=True)
        power = np.abs(spectrum[:, :-1]) ** 2  # (201, 800): the trailing frame dropped
        log_spec = np.log10(np.maximum(self._mel_filters @ power, 1e-10))
        log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
        return np.ascontiguousarray((log_spec + 4.0) / 4.0, dtype=np.float32)

    def finished_probability(self, audio: Block) -> float:
        """Probability (0..1) that the speaker has finished, judged on the last 8 s of
        `audio` (the speech so far, the pause included)."""
        (output,) = self._session.run(None, {_INPUT_NAME: self.features(audio)[np.newaxis]})
        return float(np.asarray(output).reshape(-1)[0])
