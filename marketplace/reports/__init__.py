"""Programme reports: the report page per term or year and per project group, its downloads and its drill-down lists."""
