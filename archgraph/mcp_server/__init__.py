"""`archgraph mcp`: a Model Context Protocol server over stdio, so that a coding agent checks the
architecture before it hands in a change (tools.py: what each tool answers, as JSON-ready data;
server.py: the protocol)."""
