// Sample ledger generator; see docs/design.md.
