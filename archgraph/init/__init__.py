"""`archgraph init`: contracts inferred from the import graph (layer ordering, proposals)."""
