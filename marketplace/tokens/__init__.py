"""The account's personal access tokens for the JSON API."""
