"""Exports for QA and trainers: JUnit XML from replay checks, `import --json`, pipe-safe stdout."""
