"""Speech adapters: text-to-speech voices (pyttsx3, Kokoro) and speech recognition."""
