"""Search of openings across Korean and English, on both databases: skills and places in either language,
whole tokens only, relevance order, the index kept in step with edits, highlighting that cannot inject HTML."""
from __future__ import annotations

from marketplace.extensions import db
from marketplace.services import openings, search
from marketplace.services.openings import SkillRequirement as Req
from marketplace.services.companies import approve_company_changes, update_company
from tests.factories import make_exchange_manager
from tests.factories_companies import company_data, make_company, make_opening, manager_of, opening_data


def _titles(q: str = "", **args) -> list[str]:
    filters = openings.parse_filters({"q": q, **args})
    return [o.title for o in db.session.scalars(openings.public_openings_query(filters)).unique()]


def _catalogue():
    company = make_company(name="Lunit")
    make_opening(company, title="Deep learning for chest CT", location="Suwon",
                 description="Train segmentation networks.", skills=[Req("Deep Learning", "must", 2)])
    make_opening(company, title="Hospital data project", location="서울 강남구",
                 description="Object detection dashboard for wards.", skills=[Req("SQL", "must", 2)])
    make_opening(company, title="딥러닝 기반 병리 영상 분석", location="수원시 영통구",
                 description="디지털 병리 슬라이드를 분석합니다.", skills=[Req("Python", "should", 2)])
    make_opening(company, title="Clinical NLP intern", location="Busan",
                 description="Read discharge notes in Korean.", skills=[Req("자연어처리", "must", 2)])


def test_a_skill_named_in_either_language_finds_openings_that_require_or_mention_it(app):
    _catalogue()
    korean = _titles("딥러닝")
    english = _titles("deep learning")
    assert set(korean) == set(english) == {"Deep learning for chest CT", "딥러닝 기반 병리 영상 분석"}
    assert _titles("natural language processing") == ["Clinical NLP intern"]
    assert _titles("NLP") == ["Clinical NLP intern"]


def test_place_names_match_in_both_languages_in_the_query_and_the_location_filter(app):
    _catalogue()
    assert set(_titles("수원")) == set(_titles("Suwon")) == {"Deep learning for chest CT", "딥러닝 기반 병리 영상 분석"}
    assert set(_titles(location="수원")) == {"Deep learning for chest CT", "딥러닝 기반 병리 영상 분석"}
    assert _titles(location="Seoul") == ["Hospital data project"]
    assert _titles("서울") == ["Hospital data project"]


def test_words_match_whole_tokens_only(app):
    _catalogue()
    # "CT" names computed tomography: it must not match inside "project" or "detection".
    assert _titles("CT") == ["Deep learning for chest CT"]
    assert _titles("proj") == []
    assert _titles("project") == ["Hospital data project"]


def test_korean_words_match_by_syllable_bigrams_inside_longer_words(app):
    _catalogue()
    assert _titles("병리") == ["딥러닝 기반 병리 영상 분석"]
    assert _titles("슬라이드") == ["딥러닝 기반 병리 영상 분석"]   # inside 슬라이드를
    assert _titles("영상 분석") == ["딥러닝 기반 병리 영상 분석"]
    assert _titles("병원") == []


def test_every_word_must_match_and_results_come_best_first(app):
    company = make_company(name="Vuno")
    make_opening(company, title="Data intern", description="Some PyTorch now and then.",
                 skills=[Req("SQL", "must", 2)])
    make_opening(company, title="PyTorch engineer", description="PyTorch models with PyTorch Lightning.",
                 skills=[Req("PyTorch", "must", 2)])
    assert _titles("pytorch") == ["PyTorch engineer", "Data intern"]
    assert _titles("pytorch models") == ["PyTorch engineer"]
    assert _titles("pytorch", sort="newest") == ["PyTorch engineer", "Data intern"]
    assert _titles("파이토치") == ["PyTorch engineer", "Data intern"]


def test_symbols_that_make_a_different_skill_are_kept(app):
    company = make_company()
    make_opening(company, title="Embedded C++ developer", skills=[Req("C++", "must", 2)])
    make_opening(company, title="C# tools", skills=[Req("C#", "must", 2)])
    assert _titles("C++") == ["Embedded C++ developer"]
    assert _titles("C#") == ["C# tools"]


def test_the_index_follows_edits_and_company_renames(app):
    company = make_company(name="Alpha Health")
    opening = make_opening(company, title="Wearables intern", description="Sensors.")
    assert _titles("wearables") == ["Wearables intern"] and _titles("ultrasound") == []
    manager = manager_of(company)
    openings.update_opening(manager, opening, opening_data(company, title="Ultrasound intern",
                                                           version=opening.version))
    db.session.commit()
    assert _titles("wearables") == [] and _titles("ultrasound") == ["Ultrasound intern"]
    assert _titles("alpha") == ["Ultrasound intern"]
    # An approved company's new name waits for review; the search follows once it is approved.
    update_company(manager, company, company_data(groups=company.partner_groups, name="Beta Medical",
                                                  version=company.version))
    db.session.commit()
    assert _titles("alpha") == ["Ultrasound intern"] and _titles("beta") == []
    approve_company_changes(make_exchange_manager(*company.partner_groups), company)
    db.session.commit()
    assert _titles("alpha") == [] and _titles("beta") == ["Ultrasound intern"]


def test_queries_with_nothing_searchable_or_search_syntax_are_harmless(app):
    _catalogue()
    everything = set(_titles())
    assert set(_titles("!!! ---")) == everything
    for hostile in ['"', "NEAR(a b)", "a OR b", "* AND", "'; DROP TABLE opening; --", "딥러닝\" OR \"x", "^col:x"]:
        _titles(hostile)  # answers (maybe nothing), never an error


def test_highlight_escapes_everything_and_marks_whole_words():
    terms = search.parse_query("CT 딥러닝").highlights
    html = str(search.highlight("<b>CT</b> project detection & 딥러닝 deep-learning", terms))
    assert "<b>" not in html and "&lt;b&gt;" in html and "&amp;" in html
    assert "<mark>CT</mark>" in html
    assert "proje<mark>" not in html and "dete<mark>" not in html
    assert "<mark>딥러닝</mark>" in html and "<mark>deep-learning</mark>" in html
    attack = str(search.highlight("x", ["<script>alert(1)</script>"]))
    assert "<script>" not in attack
    assert str(search.highlight("<i>", [])) == "&lt;i&gt;"
