"""A families report reduced to what `archgraph trend` plots: the size of each competing family.

Here rather than in `model/trend.py`: the families product sits above model/, which may not
import it.
"""

from __future__ import annotations

from archgraph.families.findings import FamiliesReport
from archgraph.model.trend import FamilyPoint


def family_points(report: FamiliesReport) -> tuple[FamilyPoint, ...]:
    """The size of each competing family, by concept."""
    return tuple(
        sorted(
            (
                FamilyPoint(
                    concept=family.concept,
                    implementations=len(family.competing_groups),
                    roots=len(family.roots),
                    classes=len(family.classes),
                )
                for family in report.families
                if family.competing
            ),
            key=lambda point: point.concept,
        )
    )
