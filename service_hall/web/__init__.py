"""The Flask layer: one blueprint per audience, thin views (load → authorize → domain → render)."""
