"""The PulseAudio virtual desk: a private sound server that stands in for speaker and microphone."""
