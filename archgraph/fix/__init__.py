"""`archgraph fix`: rewrite the imports that break a symbol-level `protected` contract to the
path the contract allows, and plan the migration of a `single-implementation` contract.

`plan.py` decides (pure), `rewrite.py` edits one file's source keeping its formatting and
comments (LibCST), `usecase.py` reads, checks the result on the import graph before anything is
written, writes, and checks again.
"""
