"""The students blueprint: profile, skills, CV, recommendations and the student's applications."""
