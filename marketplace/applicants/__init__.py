"""The applicants blueprint: a company's ranked applicants and the application pipeline."""
