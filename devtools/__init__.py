"""Development tools, never imported by the production code (import-linter checks it)."""
