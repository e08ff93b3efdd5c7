"""`archgraph trend`: the contracts and the families at each commit of a git range.

Everything that makes a further commit cheaper than a cold run lives here, in the session that
moves one checkout from commit to commit (`session`); the scan, the model and the contracts it
calls know nothing of it. `history` reads git, `points` holds what is measured, `report` renders.
"""

from __future__ import annotations

from archgraph.trend.measure import trend
from archgraph.trend.points import Trend

__all__ = ["Trend", "trend"]
