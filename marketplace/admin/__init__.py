"""The programme office's console: project groups, exchange-manager designations, users, audit log."""
