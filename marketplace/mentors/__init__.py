"""Managers' pages for mentor professors: the list, invitations, profiles, the term's allocation, reassignment."""
