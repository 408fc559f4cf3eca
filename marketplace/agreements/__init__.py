"""The agreements blueprint: the three-party practice agreement, its insurance and scans; clinical-data readiness of openings; the standard clauses."""
