"""Renderers: every one takes a RunResult (or an analysis result) and returns text."""
