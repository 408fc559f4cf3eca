"""Matching rounds: exchange managers run stable allocations; students and companies order their preferences."""
