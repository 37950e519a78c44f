// Reporters; see docs/design.md.
