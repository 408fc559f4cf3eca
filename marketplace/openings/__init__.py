"""Public openings: the searchable list, each opening's page, and the skill-suggestion API."""
