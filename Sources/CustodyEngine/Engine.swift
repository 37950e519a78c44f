// The evaluation engine; see docs/design.md.
