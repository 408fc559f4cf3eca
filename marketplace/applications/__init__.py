"""The applications blueprint: applying to an opening, and CV downloads of an application."""
