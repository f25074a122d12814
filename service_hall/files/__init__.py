"""Content-addressed file store: each distinct content is stored once, named by its SHA-256."""
