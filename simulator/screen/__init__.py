"""The practice screen: what is shown (and the few extra lines said) in the session's
language and script, a live view while listening, keys read from the terminal."""
