"""`python -m archgraph.cli`: the command group alone, without the process-wide settings that
`archgraph` and `python -m archgraph` make first (see archgraph.__main__)."""

from archgraph.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
