"""`archgraph audit`: one SSOT scorecard per concept the team cares about.

The concepts are the competing production families `families` finds, and every
`single-implementation` and symbol-level `protected` contract configured. `scorecards.py` holds
the data and the pure reckoning, `usecase.py` the reading of the code, `report.py` the formats.
"""
