"""Speech synthesis voices: text in, `Sound`s out, one sentence at a time."""
