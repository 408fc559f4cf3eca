"""Company managers' pages (/company/...) and the public company page (/companies/<id>)."""
