"""Practice sessions: planning the questions, the turn loop, and replaying recorded answers."""
