"""The phone-manner scorecard of a call: the checklist (data), the scoring, the spoken summary."""
