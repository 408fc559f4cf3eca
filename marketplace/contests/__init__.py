"""The contests blueprint."""
