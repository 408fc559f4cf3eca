"""Industry–university exchange marketplace for the medical-AI convergence programme."""
