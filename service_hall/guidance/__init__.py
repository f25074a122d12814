"""智能导办: short questionnaires per life event, defined as data (``questionnaires/*.json``), that end at the
items to apply for, the materials for that answer set and the window. No Flask, no login (docs/search.md)."""
