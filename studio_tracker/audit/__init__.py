"""The append-only, hash-chained audit log. Events are written only through ``trail.record``."""
