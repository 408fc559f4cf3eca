"""The allocation page's proposal on random instances in the database: mentors' current students count toward
their load, no mentor is proposed beyond their maximum, everyone gets a mentor when the places allow, and the
field match is optimal (an exact solver on the expanded free slots agrees)."""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from marketplace.extensions import db
from marketplace.matching import field_score
from marketplace.models import MentorAssignment
from marketplace.services import mentoring
from tests.factories import make_admin, make_exchange_manager, make_group, make_mentor
from tests.factories_companies import make_company
from tests.factories_mentoring import approved_placement

FIELDS = ["Deep Learning", "딥러닝", "PyTorch", "Python", "DICOM", "MRI", "Statistics", "SQL", "Nursing"]
PROJECTS = [("Python", "PyTorch"), ("DICOM", "MRI"), ("SQL", "Statistics")]


def _world():
    group = make_group("PNU")
    admin = make_admin()
    manager = make_exchange_manager(group, admin=admin)
    companies = [make_company(groups=[group], reviewer=manager) for _ in range(3)]
    placements = [approved_placement(group, companies[i % 3], reviewer=manager, skills=PROJECTS[i % 3])
                  for i in range(7)]
    mentors = [make_mentor(group, admin=admin) for _ in range(4)]
    db.session.commit()
    return manager, [p.id for p in placements], [m.id for m in mentors]


@st.composite
def settings_for(draw, placement_ids, mentor_ids):
    profiles = {mid: (draw(st.lists(st.sampled_from(FIELDS), max_size=3, unique=True)), draw(st.integers(0, 3)))
                for mid in mentor_ids}
    room = {mid: high for mid, (_fields, high) in profiles.items()}
    existing = {}
    for pid in placement_ids:
        if draw(st.integers(0, 3)) == 0:
            mid = draw(st.sampled_from(mentor_ids))
            if room[mid] > 0:
                existing[pid] = mid
                room[mid] -= 1
    return profiles, existing


def test_proposals_respect_current_loads_cover_everyone_and_maximise_field_match(app):
    manager, placement_ids, mentor_ids = _world()
    term = mentoring.default_term()

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data):
        profiles, existing = data.draw(settings_for(placement_ids, mentor_ids))
        try:
            for mid, (fields, high) in profiles.items():
                profile = mentoring.profile_of(db.session.get(type(manager), mid))
                profile.fields, profile.majors, profile.max_load, profile.min_load = ", ".join(fields), "", high, 0
            for pid, mid in existing.items():
                db.session.add(MentorAssignment(placement_id=pid, mentor_id=mid, assigned_by_id=manager.id))
            db.session.flush()
            allocation = mentoring.propose_allocation(manager, *term)
            open_ids = [p.id for p in allocation.open_placements]
            assert sorted(open_ids) == sorted(set(placement_ids) - set(existing))
            loads = allocation.proposed_loads()
            for mid, (_fields, high) in profiles.items():
                assert loads[mid] <= high, "a mentor proposed beyond their maximum"
                assert allocation.loads[mid] == sum(1 for m in existing.values() if m == mid)
            free = {mid: high - allocation.loads[mid] for mid, (_f, high) in profiles.items()}
            allocated = [pid for pid, mid in allocation.proposal.items() if mid is not None]
            assert len(allocated) == min(len(open_ids), sum(free.values()))
            # The exact optimum of the field match over the free slots.
            students = {p.id: mentoring._student_of(p) for p in allocation.open_placements}
            by_id = allocation.mentor_by_id
            slots = [mid for mid in mentor_ids for _ in range(free[mid])]
            if students and slots:
                mentors = {mid: mentoring._mentor_of(by_id[mid], 0, (0, 3)) for mid in mentor_ids}
                units = np.array([[round(field_score(students[pid], mentors[mid]) * 10) for mid in slots]
                                  for pid in open_ids], dtype=float)
                rows, cols = linear_sum_assignment(-units)
                best = int(units[rows, cols].sum())
                got = sum(round(field_score(students[pid], mentors[mid]) * 10) for pid, mid in allocation.proposal.items()
                          if mid is not None)
                assert got == best
        finally:
            db.session.rollback()

    check()
