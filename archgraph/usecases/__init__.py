"""Use cases: one function per command, wiring configuration -> scan -> rules -> a result.

They orchestrate and never print: the command line renders what they return. Every one reads
the configuration through `project.load_project`. Nothing is imported here, so that `check`
loads only the modules it uses.
"""
