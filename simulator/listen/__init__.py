"""Listening to one answer: endpointing, recording, streaming transcription, the end of the
turn, and the answer pipeline that puts them together for practice and calls."""
