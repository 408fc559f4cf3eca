"""Exchange managers' review queues: companies, openings and join requests of their project groups."""
