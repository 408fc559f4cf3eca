"""Start-up warming (gunicorn's post_worker_init): the matching caches are read once, then what start-up built is
moved out of the garbage collector's sight, so a later full collection does not walk it (a p99 pause at scale)."""
from __future__ import annotations

import gc

from marketplace.services import ranking
from marketplace.warmup import warm
from tests.factories_applications import make_skilled_student
from tests.factories_companies import make_opening


def test_warming_reads_the_matching_caches_then_freezes_what_start_up_built(app):
    opening = make_opening()
    student = make_skilled_student([("Python", 4)])
    gc.unfreeze()
    try:
        warm(app, background=False)
        assert gc.get_freeze_count() > 0
        assert ranking._opening_requirements.missing([(opening.id, opening.updated_at)]) == []
        profile = student.student_profile
        assert ranking._profile_skills.missing([(profile.id, profile.updated_at)]) == []
    finally:
        gc.unfreeze()
