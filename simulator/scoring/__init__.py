"""Scoring an answer against a question's key points: cue matching and the rubric."""
