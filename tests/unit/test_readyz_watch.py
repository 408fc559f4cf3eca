"""deploy/readyz-watch.py: which servers nginx is told to leave out, round by round."""
from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "readyz-watch.py"
_spec = importlib.util.spec_from_file_location("readyz_watch", SCRIPT)
watch = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(watch)

A, B = "10.0.0.11:8000", "10.0.0.12:8000"


def test_one_slow_answer_does_not_take_a_server_out_two_in_a_row_do():
    health = watch.Health([A, B])
    assert health.round({A: True, B: True}) == set()
    assert health.round({A: True, B: False}) == set()  # one slow /readyz from a busy server: still in
    assert health.round({A: True, B: True}) == set()
    assert health.round({A: True, B: False}) == set()  # failures must be in a row
    assert health.round({A: True, B: False}) == {B}


def test_a_server_comes_back_after_two_good_rounds_in_a_row():
    health = watch.Health([A, B])
    health.round({A: False, B: True})
    assert health.round({A: False, B: True}) == {A}
    assert health.round({A: True, B: True}) == {A}  # one good answer is not enough
    assert health.round({A: False, B: True}) == {A}
    assert health.round({A: True, B: True}) == {A}
    assert health.round({A: True, B: True}) == set()


def test_the_upstream_list_marks_servers_down_but_never_all_of_them():
    assert watch.render([A, B], {A}, "max_fails=1") == (
        "# written by deploy/readyz-watch.py\n"
        f"server {A} max_fails=1 down;\nserver {B} max_fails=1;\n")
    # Every server failing: all stay listed, so nginx answers 502 itself instead of refusing its configuration.
    assert " down" not in watch.render([A, B], {A, B}, "max_fails=1")


def test_once_writes_what_one_round_saw():
    health = watch.Health([A, B], fall=1, rise=1)
    assert health.round({A: False, B: True}) == {A}
