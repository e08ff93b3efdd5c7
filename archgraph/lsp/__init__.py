"""`archgraph lsp`: a language server over stdio that shows, in the editor, the import sites of
a Python file that break a contract, as the buffer is edited (see server.py; findings.py says
what is shown, without the protocol)."""
