"""Count the text Whisper invents on recordings that hold no answer (issue 15).

Builds a fixed, seeded set of non-speech clips (silence and dither, white, pink and brown
noise at several levels and lengths, mains hum, tones, sweeps, DTMF, beeps, clicks,
music-like chords, arpeggios and drums, speech-shaped babble noise) plus speech in
languages other than Mandarin and English synthesised with eSpeak NG (the project's own
pyttsx3 voice), writes them as 16-bit WAVs, and runs every clip through both paths a user
has, with the real bundled model, for both languages:

  transcribe  `read_audio` + `FasterWhisperTranscriber.transcribe` (the `transcribe` command)
  replay      the practice loop over the WAV (`run_session` + `WavReplaySource`: the
              endpointer, then Whisper), as `replay FILE --bank cs-zh|cs-en --question 1`

A clip "invents" when the transcript that would be scored or printed is not empty. The bar is
zero: a non-answer must come back empty, with the reason in `rejected_segments`, so the
feedback says "I didn't catch that". Each clip is decoded once; the same raw segments give
the count before issue 15's rules (`invented_before=N of M`, per-segment filters only) and
with them (the last line, `invented=N of M`; M = clips x 2 languages x 2 modes).
`--verbose` lists every invented text.

Usage: .venv/bin/python scripts/measure_invented_text.py [--limit N] [--threads 2]
       [--modes transcribe,replay] [--langs zh,en] [--verbose]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RATE = 16_000
# No Japanese: eSpeak NG reads kanji aloud as the English words "Chinese letter", which
# Whisper then transcribes correctly. Russian, Korean, Arabic, Hindi and Greek rendered
# nothing through pyttsx3 here.
FOREIGN = {  # eSpeak NG voice -> a customer-service-like sentence in that language
    "es": "Hola, buenos días. Quiero hablar con el gerente sobre mi pedido, por favor.",
    "de": "Guten Tag. Meine Bestellung ist noch nicht angekommen, können Sie mir helfen?",
    "fr": "Bonjour madame. Je voudrais savoir pourquoi ma commande n'est pas encore arrivée.",
    "it": "Buongiorno. Il mio ordine non è ancora arrivato, potete controllare per favore?",
    "pt": "Bom dia. O meu pedido ainda não chegou, pode verificar o que aconteceu?",
    "vi": "Xin chào. Đơn hàng của tôi vẫn chưa đến, bạn có thể kiểm tra giúp tôi không?",
    "tr": "Merhaba. Siparişim hâlâ gelmedi, lütfen kontrol eder misiniz?",
    "pl": "Dzień dobry. Moje zamówienie jeszcze nie dotarło, czy może pan sprawdzić?",
    "nl": "Goedendag. Mijn bestelling is nog niet aangekomen, kunt u mij helpen?",
    "sv": "Hej. Min beställning har inte kommit än, kan du hjälpa mig?",
    "id": "Selamat pagi. Pesanan saya belum sampai, bisakah Anda membantu saya?",
}
THIRD = {  # more languages eSpeak NG speaks from Latin script
    "cs": "Dobrý den. Moje objednávka ještě nedorazila, můžete mi pomoci?",
    "ro": "Bună ziua. Comanda mea nu a sosit încă, mă puteți ajuta?",
    "hu": "Jó napot. A rendelésem még nem érkezett meg, tudna segíteni?",
    "fi": "Hyvää päivää. Tilaukseni ei ole vielä saapunut, voitteko auttaa?",
    "da": "Goddag. Min ordre er endnu ikke kommet, kan du hjælpe mig?",
    "nb": "God dag. Bestillingen min har ikke kommet ennå, kan du hjelpe meg?",
    "sk": "Dobrý deň. Moja objednávka ešte neprišla, môžete mi pomôcť?",
    "hr": "Dobar dan. Moja narudžba još nije stigla, možete li mi pomoći?",
    "ca": "Bon dia. La meva comanda encara no ha arribat, em podeu ajudar?",
    "eu": "Egun on. Nire eskaera ez da oraindik iritsi, lagun diezadakezu?",
    "sw": "Habari. Agizo langu bado halijafika, unaweza kunisaidia?",
    "af": "Goeie dag. My bestelling het nog nie aangekom nie, kan u my help?",
    "cy": "Bore da. Dydy fy archeb ddim wedi cyrraedd eto, allwch chi helpu?",
}
SECOND = {  # a second, different sentence for some of them
    "es": "Llevo tres semanas esperando y nadie me contesta el teléfono.",
    "de": "Ich warte schon seit drei Wochen und niemand ruft mich zurück.",
    "fr": "J'attends depuis trois semaines et personne ne me rappelle.",
    "it": "Aspetto da tre settimane e nessuno mi richiama.",
    "pt": "Estou esperando há três semanas e ninguém me liga de volta.",
    "vi": "Tôi đã chờ ba tuần rồi mà không ai gọi lại cho tôi.",
    "tr": "Üç haftadır bekliyorum ve kimse beni geri aramıyor.",
}


def _white(rng: np.random.Generator, seconds: float) -> np.ndarray:
    return rng.uniform(-1, 1, int(seconds * RATE))


def _coloured(rng: np.random.Generator, seconds: float, exponent: float) -> np.ndarray:
    n = int(seconds * RATE)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / RATE)
    freqs[0] = freqs[1]
    shaped = np.fft.irfft(spectrum / freqs ** (exponent / 2), n)
    return shaped / np.max(np.abs(shaped))


def _tone(freq: float, seconds: float) -> np.ndarray:
    return np.sin(2 * np.pi * freq * np.arange(int(seconds * RATE)) / RATE)


def _sweep(lo: float, hi: float, seconds: float, log: bool) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    if log:
        k = np.log(hi / lo) / seconds
        phase = 2 * np.pi * lo * (np.exp(k * t) - 1) / k
    else:
        phase = 2 * np.pi * (lo * t + (hi - lo) * t * t / (2 * seconds))
    return np.sin(phase)


def _note(freq: float, seconds: float, harmonics: int = 5) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    wave = sum(np.sin(2 * np.pi * freq * h * t) / h for h in range(1, harmonics + 1))
    return wave * np.exp(-2.5 * t)


def _sequence(pieces: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(pieces)


def _music(rng: np.random.Generator, kind: int) -> np.ndarray:
    base = [261.6, 293.7, 329.6, 349.2, 392.0, 440.0, 493.9, 523.3]
    if kind == 0:  # chord progression
        chords = [(0, 2, 4), (3, 5, 7), (4, 6, 1), (0, 2, 4)]
        return _sequence([sum(_note(base[i], 1.5) for i in c) / 3 for c in chords])
    if kind == 1:  # arpeggio
        return _sequence([_note(base[i % 8] * (1 + i // 8), 0.25) for i in range(24)])
    if kind == 2:  # drums: kick and hats from noise bursts
        beat = []
        for i in range(16):
            kick = _tone(60, 0.25) * np.exp(-np.arange(int(0.25 * RATE)) / 800)
            hat = _white(rng, 0.25) * np.exp(-np.arange(int(0.25 * RATE)) / 300) * 0.3
            beat.append(kick if i % 2 == 0 else hat)
        return _sequence(beat)
    if kind == 3:  # melody with vibrato over a pad
        t = np.arange(int(6 * RATE)) / RATE
        melody = np.sin(2 * np.pi * 440 * t + 3 * np.sin(2 * np.pi * 5.5 * t))
        pad = sum(np.sin(2 * np.pi * f * t) for f in (130.8, 164.8, 196.0)) / 3
        return 0.6 * melody * (0.5 + 0.5 * np.sin(2 * np.pi * 0.5 * t)) + 0.4 * pad
    # kind 4+: random pentatonic tune with drums
    scale = [261.6, 293.7, 329.6, 392.0, 440.0]
    tune = _sequence([_note(scale[rng.integers(5)] * rng.choice([1, 2]), 0.3) for _ in range(20)])
    return tune + 0.2 * _coloured(rng, len(tune) / RATE, 1.0)


def _babble(rng: np.random.Generator, seconds: float) -> np.ndarray:
    """Speech-shaped noise: band noise with a 4 Hz syllable-like envelope (no words)."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    pink = _coloured(rng, seconds, 1.0)
    envelope = np.clip(np.sin(2 * np.pi * 4 * t + rng.uniform(0, 6)), 0, None) ** 2
    return pink * (0.3 + 0.7 * envelope)


def _clicks(rng: np.random.Generator, seconds: float, rate_per_s: float) -> np.ndarray:
    out = np.zeros(int(seconds * RATE))
    for at in rng.uniform(0, seconds - 0.01, int(seconds * rate_per_s)):
        i = int(at * RATE)
        out[i:i + 80] += rng.uniform(-1, 1, 80) * np.exp(-np.arange(80) / 15)
    return out


def _dtmf(digits: str) -> np.ndarray:
    rows, cols = (697, 770, 852, 941), (1209, 1336, 1477)
    keys = "123456789*0#"
    pieces = []
    for d in digits:
        i = keys.index(d)
        pieces += [(_tone(rows[i // 3], 0.15) + _tone(cols[i % 3], 0.15)) / 2, np.zeros(1600)]
    return _sequence(pieces)


def synthetic_clips() -> Iterator[tuple[str, str, np.ndarray]]:
    """(category, name, samples in [-1, 1] at 16 kHz), seeded."""
    rng = np.random.default_rng(15)
    yield "silence", "digital-zero", np.zeros(3 * RATE)
    yield "silence", "dither", _white(rng, 3) * 3e-5
    yield "silence", "room-tone", _coloured(rng, 5, 2.0) * 0.002
    for amp in (0.003, 0.01, 0.03, 0.1, 0.3, 0.5):
        for seconds in (3, 8):
            yield "white", f"white-{amp}-{seconds}s", _white(rng, seconds) * amp
    for name, exponent in (("pink", 1.0), ("brown", 2.0)):
        for amp in (0.01, 0.05, 0.2, 0.5):
            for seconds in (3, 8):
                yield name, f"{name}-{amp}-{seconds}s", _coloured(rng, seconds, exponent) * amp
    for mains in (50, 60):
        for amp in (0.05, 0.3):
            hum = sum(_tone(mains * h, 5) / h for h in (1, 2, 3, 5))
            yield "hum", f"hum-{mains}hz-{amp}", hum / 2 * amp
    for freq in (440, 1000, 3000):
        for amp in (0.1, 0.5):
            yield "tone", f"tone-{freq}hz-{amp}", _tone(freq, 4) * amp
    yield "sweep", "sweep-linear", _sweep(100, 7000, 5, log=False) * 0.3
    yield "sweep", "sweep-log", _sweep(50, 7500, 5, log=True) * 0.3
    yield "dtmf", "dtmf-phone-number", _dtmf("13800138000") * 0.4
    yield "dtmf", "dtmf-menu", _dtmf("1#0*9") * 0.4
    beep = _sequence([_tone(1000, 0.2), np.zeros(int(0.8 * RATE))] * 5)
    yield "beep", "beeps-1khz", beep * 0.3
    yield "beep", "busy-signal", _sequence([_tone(450, 0.35), np.zeros(int(0.35 * RATE))] * 6) * 0.3
    for i, rate_per_s in enumerate((3, 12, 40)):
        yield "clicks", f"clicks-{rate_per_s}-per-s", _clicks(rng, 5, rate_per_s) * (0.2 + 0.2 * i)
    for kind in range(8):
        music = _music(rng, kind)
        yield "music", f"music-{kind}", music / np.max(np.abs(music)) * 0.4
    for amp in (0.05, 0.2, 0.4, 0.6):
        yield "babble", f"babble-{amp}", _babble(rng, 6) * amp
    for amp in (0.05, 0.2):
        mix = 0.5 * _coloured(rng, 5, 1.0) + 0.5 * sum(_tone(50 * h, 5) / h for h in (1, 2, 3))
        yield "mixture", f"hum-and-pink-{amp}", mix / np.max(np.abs(mix)) * amp
    yield "mixture", "fan-noise", (_coloured(rng, 6, 2.0) * 0.7 + _tone(120, 6) * 0.3) * 0.2
    yield "mixture", "street", (_coloured(rng, 6, 1.5) + 0.3 * _clicks(rng, 6, 5)) * 0.3
    yield "white", "white-0.5-15s", _white(rng, 15) * 0.5
    breath = _coloured(rng, 6, 2.0) * np.clip(np.sin(2 * np.pi * 0.3 * np.arange(6 * RATE) / RATE),
                                              0, None)
    yield "breath", "breathing", breath / np.max(np.abs(breath)) * 0.3
    yield "clicks", "typing", _clicks(rng, 6, 8) * 0.5 + _coloured(rng, 6, 2.0) * 0.01
    coughs = _sequence([_coloured(rng, 0.3, 1.0) * np.exp(-np.arange(int(0.3 * RATE)) / 1500),
                        np.zeros(RATE)] * 4)
    yield "breath", "coughs", coughs / np.max(np.abs(coughs)) * 0.5


def foreign_clips() -> Iterator[tuple[str, str, np.ndarray]]:
    """Speech in other languages (eSpeak NG through the project's pyttsx3 voice)."""
    from simulator.audio.pcm import to_internal
    from simulator.speech.espeak_voice import Pyttsx3Voice

    for table, suffix in ((FOREIGN, "1"), (SECOND, "2"), (THIRD, "1")):
        for voice_name, text in table.items():
            try:
                sounds = list(Pyttsx3Voice(language="en", voice_name=voice_name).render(text))
            except Exception as e:  # noqa: BLE001 - a voice eSpeak lacks is reported, skipped
                print(f"skip foreign-{voice_name}: {e}", file=sys.stderr)
                continue
            if not sounds:
                print(f"skip speech-{voice_name}-{suffix}: eSpeak NG rendered nothing",
                      file=sys.stderr)
                continue
            audio = np.concatenate([to_internal(s.samples, s.sample_rate_hz) for s in sounds])
            yield "foreign", f"speech-{voice_name}-{suffix}", audio


def write_clips(folder: Path, limit: int | None) -> list[tuple[str, Path]]:
    from simulator.audio.pcm import write_wav

    clips = []
    for category, name, samples in (*synthetic_clips(), *foreign_clips()):
        lead = np.zeros(RATE // 2)  # half a second of quiet first, as a recording would start
        audio = np.clip(np.concatenate([lead, samples]), -1, 1).astype(np.float32)
        clips.append((category, write_wav(folder / f"{name}.wav", audio)))
        if limit and len(clips) >= limit:
            break
    return clips


class _Silent:
    def say(self, text: str, language: str) -> float | None:
        return None


class RawSegments:
    """Wraps faster-whisper's model and keeps each call's raw segments, so one decoding gives
    both verdicts: the per-segment filters alone (the rules before issue 15) and the whole
    transcriber (with `non_answer`'s rules). Decoding settings are the same for both."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self.last: list[Any] | None = None

    def transcribe(self, audio: Any, **kwargs: Any) -> tuple[Any, Any]:
        segments, info = self._model.transcribe(audio, **kwargs)
        self.last = list(segments)
        return iter(self.last), info

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def before_text(self, language: str) -> str:
        """What the transcriber kept before issue 15 (no-speech, repetition and the list of
        known phrases only), for the last call; then forgets it."""
        from simulator.speech.whisper_stt import (
            LOW_LOGPROB,
            MAX_COMPRESSION_RATIO,
            is_known_hallucination,
            join_segment_texts,
        )

        raw, self.last = self.last or [], None
        kept = [seg.text for seg in raw if seg.text.strip()
                and not (seg.no_speech_prob > 0.6 and seg.avg_logprob < LOW_LOGPROB)
                and seg.compression_ratio <= MAX_COMPRESSION_RATIO
                and not is_known_hallucination(seg.text.strip())]
        return join_segment_texts(kept, language)


class _BeforeSink:
    """Collects, turn by turn, what the old rules would have kept of the answer."""

    folder = None

    def __init__(self, raw: RawSegments, language: str) -> None:
        self._raw = raw
        self._language = language
        self.before: list[str] = []

    def save_answer(self, index: int, recording: Any, label: str = "") -> None:
        return None

    def record_turn(self, turn: Any) -> None:
        self.before.append(self._raw.before_text(self._language))


def run_transcribe(clips: list[tuple[str, Path]], language: str, transcriber: Any,
                   raw: RawSegments) -> list[tuple[str, str]]:
    """Every clip as `transcribe FILE --lang L` reads it: (before, after) texts."""
    from simulator.audio.pcm import read_audio

    out = []
    for _, path in clips:
        after = transcriber.transcribe(read_audio(path), language).text
        out.append((raw.before_text(language), after))
    return out


def run_replay(clips: list[tuple[str, Path]], language: str, transcriber: Any,
               raw: RawSegments) -> list[tuple[str, str]]:
    """Every clip through the practice loop, as `replay FILE --bank --question 1` does."""
    from simulator.app import Parts, practice_settings
    from simulator.audio.replay import WavReplaySource
    from simulator.bank.loader import resolve_bank
    from simulator.config import SimulatorConfig
    from simulator.ports import LoopParts
    from simulator.practice.session import run_session

    question = resolve_bank("cs-zh" if language == "zh" else "cs-en").questions[0]
    sink = _BeforeSink(raw, language)
    config = SimulatorConfig()
    parts = LoopParts(speaker=_Silent(), source=WavReplaySource([p for _, p in clips]),
                      transcriber=transcriber, judge=Parts(config, print).judge(preload=False),
                      sink=sink)
    result = run_session([question] * len(clips), parts, practice_settings(config, live=False))
    return list(zip(sink.before, [t.answer.transcript.text for t in result.turns], strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N clips")
    parser.add_argument("--threads", type=int, default=2, help="Whisper CPU threads")
    parser.add_argument("--modes", default="transcribe,replay")
    parser.add_argument("--langs", default="zh,en")
    parser.add_argument("--verbose", action="store_true", help="print every invented text")
    args = parser.parse_args(argv)

    from simulator.config import WhisperConfig
    from simulator.speech.whisper_stt import FasterWhisperTranscriber

    transcriber = FasterWhisperTranscriber(WhisperConfig(cpu_threads=args.threads))
    transcriber.load()
    raw = RawSegments(transcriber._model)  # noqa: SLF001 - measurement hook
    transcriber._model = raw  # noqa: SLF001
    started = time.perf_counter()
    invented: dict[str, Counter[str]] = {"before": Counter(), "after": Counter()}
    total = 0
    with tempfile.TemporaryDirectory(prefix="invented-") as tmp:
        clips = write_clips(Path(tmp), args.limit)
        print(f"{len(clips)} clips: {dict(Counter(c for c, _ in clips))}", file=sys.stderr)
        for language in args.langs.split(","):
            for mode in args.modes.split(","):
                run = run_transcribe if mode == "transcribe" else run_replay
                results = run(clips, language, transcriber, raw)
                for (category, path), texts in zip(clips, results, strict=True):
                    total += 1
                    for when, text in zip(("before", "after"), texts, strict=True):
                        if text.strip():
                            invented[when][f"{mode}/{language}/{category}"] += 1
                            if args.verbose:
                                print(f"  {when:<6} {mode:<10} {language} {path.stem:<22} "
                                      f"{text[:60]!r}", flush=True)
                counts = {when: sum(v for k, v in c.items() if k.startswith(f"{mode}/{language}/"))
                          for when, c in invented.items()}
                print(f"{mode}/{language}: invented {counts['before']} before, "
                      f"{counts['after']} after, of {len(clips)} "
                      f"(t+{time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    for when, counter in invented.items():
        for key, count in sorted(counter.items()):
            print(f"  {when} {key}: {count}")
    print(f"invented_before={sum(invented['before'].values())} of {total}")
    print(f"invented={sum(invented['after'].values())} of {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
