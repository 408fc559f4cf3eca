"""Home page, health check and language switch."""
