"""The evaluations blueprint: evaluations of a practice both ways, its completion and certificate; the public
certificate check; the evaluation rubric the programme office edits."""
