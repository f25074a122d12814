"""Append-only, hash-chained audit trail: every use of a power leaves a trace."""
