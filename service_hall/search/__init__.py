"""Finding what to apply for: full-text search over the published list in everyday words (docs/search.md).

``text`` segments Chinese with jieba; ``index`` keeps the database's own full-text index (SQLite FTS5,
PostgreSQL tsvector + GIN) in step with published versions and aliases; ``query`` answers a search;
``aliases`` and ``misses`` are what legal affairs maintain and read. No Flask here.
"""
