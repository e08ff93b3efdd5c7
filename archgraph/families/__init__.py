"""`archgraph families`: competing implementations among the classes of the analyzed code.

findings.py holds what is found (plain data); analysis.py finds it in a `model.classes`
ClassModel (class_cache.py keeps that model between runs); report.py writes the text and JSON
report; classview.py and diagram.py draw the class diagram. Uses the pipeline's public pieces;
nothing below this package imports it.
"""
