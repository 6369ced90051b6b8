"""Audio edges and pure audio logic: PCM conversion, endpointing, microphone, playback, replay."""
