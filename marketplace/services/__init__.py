"""Workflow rules and every query and write; the acting user is always a parameter."""
