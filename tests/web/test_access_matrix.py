"""The access matrix: every route and method of the app, for eight kinds of visitor, with real ids of the
other party's records. A route missing from the table fails the test, so every new page gets a row.

Outcomes: OK = the request reaches the page or action (2xx, a redirect that is not to sign-in, or a 400/409
answer about the input or the record's state); DENY = 403 or 404, never the data; LOGIN = sent to sign in.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from marketplace.clock import today_in_seoul
from marketplace.app import create_app
from marketplace.extensions import db
from tests.conftest import CSRF_RE, IsolatedClient, fresh_sqlite_copy
from tests.factories import (
    PASSWORD,
    make_admin,
    make_company_manager,
    make_exchange_manager,
    make_group,
    make_mentor,
    make_student,
)

# mentor: the mentor professor of placement_a (PNU); mentor_other: a PNU mentor with no student of this world.
ROLES = ("anon", "student_a", "student_b", "cm_x", "cm_y", "xm_own", "xm_other", "admin", "mentor", "mentor_other")
OK, DENY, LOGIN = "ok", "deny", "login"


def allow(*roles: str, anon: str = LOGIN) -> dict[str, str]:
    """Only `roles` get through; anonymous visitors are sent to sign in (or get `anon`)."""
    return {role: (OK if role in roles else DENY) for role in ROLES} | {"anon": OK if "anon" in roles else anon}


EVERYONE = allow(*ROLES)
SIGNED_IN = allow(*ROLES[1:])
STUDENTS = allow("student_a", "student_b")
COMPANY_MANAGERS = allow("cm_x", "cm_y")
MANAGERS = allow("xm_own", "xm_other", "admin")
ADMIN = allow("admin")
OWN_STUDENT = allow("student_a")
OWN_COMPANY = allow("cm_x")
OWN_REVIEWERS = allow("xm_own", "admin")
AGREEMENT_PARTIES = allow("student_a", "cm_x", "xm_own")
PRACTICE_READERS = allow("student_a", "cm_x", "xm_own", "admin", "mentor")
AGREEMENT_READERS = allow("student_a", "cm_x", "xm_own", "admin")
MENTORS = allow("mentor", "mentor_other")
OWN_MENTOR = allow("mentor")
FORUM_MODERATORS = allow("xm_own", "xm_other", "admin")  # the general board: every exchange manager and the admin

# (endpoint, method) -> (path with {ids}, expected outcome per role, form data for POSTs)
MATRIX: dict[tuple[str, str], tuple[str, dict[str, str], dict]] = {
    ("main.index", "GET"): ("/", EVERYONE, {}),
    ("main.healthz", "GET"): ("/healthz", EVERYONE, {}),
    ("main.readyz", "GET"): ("/readyz", EVERYONE, {}),
    ("main.set_language", "POST"): ("/language", EVERYONE, {"locale": "en"}),
    ("auth.login", "GET"): ("/auth/login", EVERYONE, {}),
    ("auth.registered", "GET"): ("/auth/register/student/sent", EVERYONE, {}),
    ("auth.login", "POST"): ("/auth/login", EVERYONE, {"email": "x@y.kr", "password": "wrong-pass-1"}),
    ("auth.logout", "POST"): ("/auth/logout", SIGNED_IN, {}),
    ("auth.register", "GET"): ("/auth/register", EVERYONE, {}),
    ("auth.register_student", "GET"): ("/auth/register/student", EVERYONE, {}),
    ("auth.register_student", "POST"): ("/auth/register/student", EVERYONE, {}),
    ("auth.register_company", "GET"): ("/auth/register/company", EVERYONE, {}),
    ("auth.register_company", "POST"): ("/auth/register/company", EVERYONE, {}),
    ("auth.change_password", "GET"): ("/auth/password", SIGNED_IN, {}),
    ("auth.change_password", "POST"): ("/auth/password", SIGNED_IN, {}),
    ("auth.confirm_password", "GET"): ("/auth/confirm?next=/admin/", SIGNED_IN, {}),
    ("auth.confirm_password", "POST"): ("/auth/confirm", SIGNED_IN, {"password": "wrong-pass-1"}),
    ("tokens.index", "GET"): ("/account/tokens/", SIGNED_IN, {}),
    ("tokens.index", "POST"): ("/account/tokens/", SIGNED_IN, {"name": "LMS", "scopes": "read:openings"}),
    ("tokens.revoke", "POST"): ("/account/tokens/{token_a}/revoke", allow("student_a"), {}),
    # the JSON API's description and reference page (its resources have their own matrix: tests/api)
    ("api-docs.openapi_json", "GET"): ("/api/v1/openapi.json", EVERYONE, {}),
    ("api_reference.docs", "GET"): ("/api/v1/docs", EVERYONE, {}),
    # one-time links: a forged link is a clear 400 page for everyone; the forgot form without an address a 400
    ("auth.confirm_email", "GET"): ("/auth/confirm-email/forged-link", EVERYONE, {}),
    ("auth.confirm_email", "POST"): ("/auth/confirm-email/forged-link", EVERYONE, {}),
    ("auth.resend_confirmation", "POST"): ("/auth/confirm-email/resend", SIGNED_IN, {}),
    ("auth.forgot_password", "GET"): ("/auth/forgot", EVERYONE, {}),
    ("auth.forgot_password", "POST"): ("/auth/forgot", EVERYONE, {"email": ""}),
    ("auth.reset_password", "GET"): ("/auth/reset/forged-link", EVERYONE, {}),
    ("auth.reset_password", "POST"): ("/auth/reset/forged-link", EVERYONE, {"new_password": "Brand-New-Secret-31",
                                                                           "confirm": "Brand-New-Secret-31"}),
    ("auth.accept_invitation", "GET"): ("/auth/invitation/forged-link", EVERYONE, {}),
    ("auth.accept_invitation", "POST"): ("/auth/invitation/forged-link", EVERYONE, {
        "new_password": "Brand-New-Secret-31", "confirm": "Brand-New-Secret-31"}),
    ("notifications.index", "GET"): ("/notifications/", SIGNED_IN, {}),
    ("notifications.read", "POST"): ("/notifications/{notification_a}/read", allow("student_a"), {}),
    ("notifications.read_all", "POST"): ("/notifications/read-all", SIGNED_IN, {}),
    ("notifications.preferences", "GET"): ("/notifications/email", SIGNED_IN, {}),
    ("notifications.preferences", "POST"): ("/notifications/email", SIGNED_IN, {}),
    # programme office
    ("admin.index", "GET"): ("/admin/", ADMIN, {}),
    ("admin.audit_log", "GET"): ("/admin/audit", ADMIN, {}),
    ("admin.list_designations", "GET"): ("/admin/designations", ADMIN, {}),
    ("admin.new_designation", "GET"): ("/admin/designations/new", ADMIN, {}),
    ("admin.new_designation", "POST"): ("/admin/designations/new", ADMIN, {}),
    ("admin.revoke_designation", "POST"): ("/admin/designations/{designation_own}/revoke", ADMIN, {}),
    ("admin.designation_groups", "GET"): ("/admin/designations/{designation_own}/groups", ADMIN, {}),
    ("admin.designation_groups", "POST"): ("/admin/designations/{designation_own}/groups", ADMIN, {}),
    ("admin.users", "GET"): ("/admin/users?q=pusan", ADMIN, {}),
    ("admin.set_user_active", "POST"): ("/admin/users/{student_a_id}/active", ADMIN, {"active": "0"}),
    ("admin.mail", "GET"): ("/admin/mail", ADMIN, {}),
    ("admin.outbox", "GET"): ("/admin/mail/outbox", ADMIN, {}),
    ("admin.mail_detail", "GET"): ("/admin/mail/{mail_a}", ADMIN, {}),
    ("admin.retry_mail", "POST"): ("/admin/mail/{mail_a}/retry", ADMIN, {}),
    ("admin.new_group", "GET"): ("/admin/groups/new", ADMIN, {}),
    ("admin.new_group", "POST"): ("/admin/groups/new", ADMIN, {}),
    ("admin.edit_group", "GET"): ("/admin/groups/{pnu}/edit", ADMIN, {}),
    ("admin.edit_group", "POST"): ("/admin/groups/{pnu}/edit", ADMIN, {}),
    # public pages
    ("openings.index", "GET"): ("/openings?q=intern", EVERYONE, {}),
    ("openings.detail", "GET"): ("/openings/{opening_x}", EVERYONE, {}),
    ("openings.skill_suggestions", "GET"): ("/api/skills?q=pyt", EVERYONE, {}),
    ("companies.detail", "GET"): ("/companies/{company_x}", EVERYONE, {}),
    # company managers
    ("companies.dashboard", "GET"): ("/company/", COMPANY_MANAGERS, {}),
    ("companies.create_company", "GET"): ("/company/new", COMPANY_MANAGERS, {}),
    ("companies.create_company", "POST"): ("/company/new", COMPANY_MANAGERS, {}),
    ("companies.edit_company", "GET"): ("/company/edit", COMPANY_MANAGERS, {}),
    ("companies.edit_company", "POST"): ("/company/edit", COMPANY_MANAGERS, {}),
    ("companies.join_company", "GET"): ("/company/join", COMPANY_MANAGERS, {}),
    ("companies.join_company", "POST"): ("/company/join", COMPANY_MANAGERS, {}),
    ("companies.invite_colleague", "GET"): ("/company/colleagues/invite", COMPANY_MANAGERS, {}),
    ("companies.invite_colleague", "POST"): ("/company/colleagues/invite", COMPANY_MANAGERS, {}),
    ("companies.accept_member", "POST"): ("/company/join-requests/{membership_x}/accept", OWN_COMPANY, {}),
    ("companies.decline_member", "POST"): ("/company/join-requests/{membership_x}/decline", OWN_COMPANY, {}),
    ("companies.my_openings", "GET"): ("/company/openings", COMPANY_MANAGERS, {}),
    ("companies.new_opening", "GET"): ("/company/openings/new", COMPANY_MANAGERS, {}),
    ("companies.new_opening", "POST"): ("/company/openings/new", COMPANY_MANAGERS, {}),
    ("companies.edit_opening", "GET"): ("/company/openings/{draft_x}/edit", OWN_COMPANY, {}),
    ("companies.edit_opening", "POST"): ("/company/openings/{draft_x}/edit", OWN_COMPANY, {}),
    ("companies.submit_opening", "POST"): ("/company/openings/{draft_x}/submit", OWN_COMPANY, {}),
    ("companies.close_opening", "POST"): ("/company/openings/{opening_x}/close", OWN_COMPANY, {}),
    ("applicants.ranked", "GET"): ("/company/openings/{opening_x}/applicants", OWN_COMPANY, {}),
    ("applicants.application", "GET"): ("/company/applications/{application_a}", OWN_COMPANY, {}),
    ("applicants.application_action", "POST"): ("/company/applications/{application_a}/shortlist", OWN_COMPANY, {}),
    ("applications.application_cv", "GET"): (
        "/applications/{application_a}/cv", allow("student_a", "cm_x", "xm_own", "admin"), {}),
    # students
    ("students.profile", "GET"): ("/student/profile", STUDENTS, {}),
    ("students.profile", "POST"): ("/student/profile", STUDENTS, {}),
    ("students.upload_cv", "POST"): ("/student/cv", STUDENTS, {}),
    ("students.download_cv", "GET"): ("/student/cv", STUDENTS, {}),
    ("students.delete_cv", "POST"): ("/student/cv/delete", STUDENTS, {}),
    ("students.recommendations", "GET"): ("/student/recommendations", STUDENTS, {}),
    ("students.my_applications", "GET"): ("/student/applications", STUDENTS, {}),
    ("students.application", "GET"): ("/student/applications/{application_a}", OWN_STUDENT, {}),
    ("students.application_action", "POST"): ("/student/applications/{application_a}/withdraw", OWN_STUDENT, {}),
    # Anyone signed in may open it; the page says why only eligible students can apply.
    ("applications.apply", "GET"): ("/openings/{opening_x}/apply", SIGNED_IN, {}),
    ("applications.apply", "POST"): ("/openings/{opening_x}/apply", SIGNED_IN, {"statement": "Hi", "consent": "y"}),
    # exchange managers
    ("manager.index", "GET"): ("/manager/", MANAGERS, {}),
    ("manager.dashboard", "GET"): ("/manager/dashboard", MANAGERS, {}),
    ("manager.exports", "GET"): ("/manager/exports", MANAGERS, {}),
    ("manager.placements_list", "GET"): ("/manager/placements", MANAGERS, {}),
    ("manager.company", "GET"): ("/manager/companies/{company_x}", OWN_REVIEWERS, {}),
    ("manager.company", "POST"): ("/manager/companies/{company_x}", OWN_REVIEWERS, {"decision": "suspend"}),
    ("manager.opening", "GET"): ("/manager/openings/{opening_x}", OWN_REVIEWERS, {}),
    ("manager.opening", "POST"): ("/manager/openings/{opening_x}", OWN_REVIEWERS, {"decision": "return"}),
    ("manager.placement", "GET"): ("/manager/placements/{placement_a}", OWN_REVIEWERS, {}),
    ("manager.placement", "POST"): ("/manager/placements/{placement_a}", OWN_REVIEWERS, {"decision": "return"}),
    ("manager.history", "GET"): ("/manager/history/application/{application_a}", OWN_REVIEWERS, {}),
    # practice terms and compliance
    ("manager.opening_override", "POST"): ("/manager/openings/{opening_x}/override", OWN_REVIEWERS,
                                           {"reason": "Agreed."}),
    ("manager.placement_override", "POST"): ("/manager/placements/{placement_a}/override", OWN_REVIEWERS,
                                             {"reason": "Agreed."}),
    ("manager.placement_terms", "GET"): ("/manager/placements/{placement_a}/terms", OWN_REVIEWERS, {}),
    ("manager.placement_terms", "POST"): ("/manager/placements/{placement_a}/terms", OWN_REVIEWERS, {}),
    ("manager.compliance_overview", "GET"): ("/manager/compliance", MANAGERS, {}),
    # programme reports: one group's report and lists are its managers' and the office's (another group's: 404)
    ("reports.index", "GET"): ("/manager/reports/?period=2025-1&group={pnu}", OWN_REVIEWERS, {}),
    ("reports.download_xlsx", "GET"): ("/manager/reports/report.xlsx?group={pnu}", OWN_REVIEWERS, {}),
    ("reports.download_pdf", "GET"): ("/manager/reports/report.pdf?group={pnu}", OWN_REVIEWERS, {}),
    ("reports.openings", "GET"): ("/manager/reports/openings?period=2025&group={pnu}", OWN_REVIEWERS, {}),
    ("reports.companies", "GET"): ("/manager/reports/companies?period=2025&group={pnu}&new=1", OWN_REVIEWERS, {}),
    ("reports.applications", "GET"): ("/manager/reports/applications?group={pnu}", OWN_REVIEWERS, {}),
    ("reports.students", "GET"): ("/manager/reports/students?group={pnu}&degree=master", OWN_REVIEWERS, {}),
    ("reports.overrides", "GET"): ("/manager/reports/overrides?group={pnu}", OWN_REVIEWERS, {}),
    ("applicants.placement_terms", "GET"): ("/company/placements/{placement_a}/terms", OWN_COMPANY, {}),
    ("applicants.placement_terms", "POST"): ("/company/placements/{placement_a}/terms", OWN_COMPANY, {}),
    ("admin.compliance_rules", "GET"): ("/admin/compliance-rules", ADMIN, {}),
    ("admin.new_rule_set", "GET"): ("/admin/compliance-rules/new", ADMIN, {}),
    ("admin.new_rule_set", "POST"): ("/admin/compliance-rules/new", ADMIN, {}),
    ("admin.edit_rule_set", "GET"): ("/admin/compliance-rules/2026/edit", ADMIN, {}),
    ("admin.edit_rule_set", "POST"): ("/admin/compliance-rules/2026/edit", ADMIN, {}),
    ("admin.holidays", "GET"): ("/admin/compliance-rules/holidays/2026", ADMIN, {}),
    ("admin.holidays", "POST"): ("/admin/compliance-rules/holidays/2026", ADMIN, {"holidays": "2026-01-01 신정"}),
    ("manager.verification_queue", "GET"): ("/manager/students", MANAGERS, {}),
    ("manager.verification_decision", "POST"): ("/manager/students/{profile_unverified}", OWN_REVIEWERS,
                                                {"decision": "decline"}),
    ("manager.roster_upload", "GET"): ("/manager/roster", MANAGERS, {}),
    ("manager.roster_upload", "POST"): ("/manager/roster", MANAGERS, {}),
    ("manager.roster_preview", "GET"): ("/manager/roster/{roster_import}", allow("xm_own"), {}),
    ("manager.roster_confirm", "POST"): ("/manager/roster/{roster_import}/confirm", allow("xm_own"), {}),
    ("manager.accept_member", "POST"): ("/manager/join-requests/{membership_x}/accept", OWN_REVIEWERS, {}),
    ("manager.decline_member", "POST"): ("/manager/join-requests/{membership_x}/decline", OWN_REVIEWERS, {}),
    # practice agreements (placement_a: student_a's at company_x, reviewed by PNU's exchange manager)
    ("agreements.agreement", "GET"): ("/placements/{placement_a}/agreement", AGREEMENT_READERS, {}),
    ("agreements.agreement_pdf_file", "GET"): ("/placements/{placement_a}/agreement.pdf?lang=en", AGREEMENT_READERS, {}),
    # The programme office reads the agreement but is none of its parties: its acknowledgement is a 403.
    ("agreements.acknowledge", "POST"): ("/placements/{placement_a}/agreement/acknowledge", AGREEMENT_PARTIES,
                                         {"document_hash": "outdated", "confirm": "y"}),
    ("agreements.record_insurance", "POST"): ("/placements/{placement_a}/insurance/industrial-accident", OWN_COMPANY,
                                              {"insurer": ""}),
    ("agreements.insurance_document", "GET"): (
        "/placements/{placement_a}/insurance/industrial-accident/document", AGREEMENT_READERS, {}),
    ("agreements.upload_scan", "POST"): ("/placements/{placement_a}/agreement/scans", AGREEMENT_PARTIES, {}),
    ("agreements.scan", "GET"): ("/placements/{placement_a}/agreement/scans/{scan_a}", AGREEMENT_READERS, {}),
    # evaluations, completion and certificates (placement_a carries a certificate; cm_x is its host supervisor)
    ("evaluations.placement", "GET"): ("/placements/{placement_a}/evaluations",
                                       allow("student_a", "cm_x", "xm_own", "admin", "mentor"), {}),
    ("evaluations.evaluate", "GET"): ("/placements/{placement_a}/evaluations/final", OWN_COMPANY, {}),
    ("evaluations.evaluate", "POST"): ("/placements/{placement_a}/evaluations/final", OWN_COMPANY, {}),
    ("evaluations.certificate_file", "GET"): ("/placements/{placement_a}/certificate.pdf?lang=en",
                                              allow("student_a", "xm_own", "admin"), {}),
    ("evaluations.revoke_certificate", "POST"): ("/placements/{placement_a}/certificate/revoke", OWN_REVIEWERS,
                                                 {"reason": ""}),
    ("evaluations.company_feedback", "GET"): ("/company/host-feedback", COMPANY_MANAGERS, {}),
    ("certificates.check", "GET"): ("/certificates/", EVERYONE, {}),
    ("certificates.verify", "GET"): ("/certificates/7K2M-9XQD-4HRT", EVERYONE, {}),
    ("rubric.index", "GET"): ("/admin/evaluation-rubric/", ADMIN, {}),
    ("rubric.index", "POST"): ("/admin/evaluation-rubric/", ADMIN, {"name_en": ""}),
    ("rubric.edit_item", "GET"): ("/admin/evaluation-rubric/1", ADMIN, {}),
    ("rubric.edit_item", "POST"): ("/admin/evaluation-rubric/1", ADMIN, {"name_en": ""}),
    ("agreements.clinical_data", "GET"): ("/company/openings/{opening_x}/clinical-data", OWN_COMPANY, {}),
    ("agreements.clinical_data", "POST"): ("/company/openings/{opening_x}/clinical-data", OWN_COMPANY,
                                           {"data_source": "hospital", "irb_status": "pending"}),
    ("agreements.irb_document", "GET"): ("/openings/{opening_x}/irb-document", allow("cm_x", "xm_own", "admin"), {}),
    # the practice course (practice_a: student_a's active placement at company_x, in PNU; week 1 submitted)
    ("practice.index", "GET"): ("/practice/", SIGNED_IN, {}),
    ("practice.home", "GET"): ("/practice/placements/{practice_a}", PRACTICE_READERS, {}),
    ("practice.week", "GET"): ("/practice/placements/{practice_a}/weeks/1", PRACTICE_READERS, {}),
    ("practice.week", "POST"): ("/practice/placements/{practice_a}/weeks/2", OWN_STUDENT, {}),
    ("practice.confirm", "POST"): ("/practice/placements/{practice_a}/weeks/1/confirm", OWN_COMPANY, {}),
    ("practice.return_", "POST"): ("/practice/placements/{practice_a}/weeks/1/return", OWN_COMPANY,
                                   {"comment": "Add Tuesday."}),
    ("practice.choose_plan", "POST"): ("/practice/placements/{practice_a}/plan", OWN_REVIEWERS,
                                       {"course_plan_id": "{plan_a}"}),
    ("practice.plans", "GET"): ("/practice/plans", MANAGERS, {}),
    ("practice.new_plan", "GET"): ("/practice/plans/new", MANAGERS, {}),
    ("practice.new_plan", "POST"): ("/practice/plans/new", MANAGERS, {"name": ""}),
    ("practice.edit_plan", "GET"): ("/practice/plans/{plan_a}/edit", OWN_REVIEWERS, {}),
    ("practice.edit_plan", "POST"): ("/practice/plans/{plan_a}/edit", OWN_REVIEWERS, {"name": ""}),
    ("clauses.index", "GET"): ("/admin/agreement-clauses/", ADMIN, {}),
    ("clauses.new_clause", "GET"): ("/admin/agreement-clauses/new", ADMIN, {}),
    ("clauses.new_clause", "POST"): ("/admin/agreement-clauses/new", ADMIN, {"title_ko": "조항"}),
    ("clauses.edit_clause", "GET"): ("/admin/agreement-clauses/{clause_a}", ADMIN, {}),
    ("clauses.edit_clause", "POST"): ("/admin/agreement-clauses/{clause_a}", ADMIN, {"title_en": ""}),
    # the forum's general board: every signed-in account reads and posts; student_a asked {forum_thread_a}
    # ({forum_post_a} is its opening post), cm_x replied ({forum_reply_x})
    ("forum.index", "GET"): ("/forum/", SIGNED_IN, {}),
    ("forum.board", "GET"): ("/forum/boards/{forum_board}", SIGNED_IN, {}),
    # an open contest's board (made on this first visit): whoever sees the contest
    ("forum.contest_board", "GET"): ("/forum/contests/{contest}", SIGNED_IN, {}),
    ("forum.new_thread", "GET"): ("/forum/boards/{forum_board}/new", SIGNED_IN, {}),
    ("forum.new_thread", "POST"): ("/forum/boards/{forum_board}/new", SIGNED_IN, {"kind": "question", "title": ""}),
    ("forum.thread", "GET"): ("/forum/threads/{forum_thread_a}", SIGNED_IN, {}),
    ("forum.thread", "POST"): ("/forum/threads/{forum_thread_a}", SIGNED_IN, {"body": ""}),
    ("forum.edit_post", "GET"): ("/forum/posts/{forum_post_a}/edit", allow("student_a"), {}),
    ("forum.edit_post", "POST"): ("/forum/posts/{forum_post_a}/edit", allow("student_a"), {"body": ""}),
    ("forum.history", "GET"): ("/forum/posts/{forum_post_a}/history", allow("student_a", "xm_own", "xm_other", "admin"),
                               {}),
    ("forum.accept", "POST"): ("/forum/posts/{forum_reply_x}/accept", allow("student_a", "xm_own", "xm_other", "admin"),
                               {}),
    ("forum.clear_answer", "POST"): ("/forum/threads/{forum_thread_a}/answer/clear",
                                     allow("student_a", "xm_own", "xm_other", "admin"), {}),
    ("forum.hide_post", "GET"): ("/forum/posts/{forum_reply_x}/hide", FORUM_MODERATORS, {}),
    ("forum.hide_post", "POST"): ("/forum/posts/{forum_reply_x}/hide", FORUM_MODERATORS, {"reason": ""}),
    ("forum.unhide_post", "POST"): ("/forum/posts/{forum_reply_x}/unhide", FORUM_MODERATORS, {}),
    ("forum.lock", "POST"): ("/forum/threads/{forum_thread_a}/lock", FORUM_MODERATORS, {}),
    ("forum.unlock", "POST"): ("/forum/threads/{forum_thread_a}/unlock", FORUM_MODERATORS, {}),
    # mentor professors: the managers' pages (mentor_id: a PNU mentor) and the mentor's own (placement_a is theirs)
    ("mentors.index", "GET"): ("/manager/mentors/", MANAGERS, {}),
    ("mentors.invite", "GET"): ("/manager/mentors/invite", MANAGERS, {}),
    ("mentors.invite", "POST"): ("/manager/mentors/invite", MANAGERS, {"email": ""}),
    ("mentors.edit", "GET"): ("/manager/mentors/{mentor_id}/edit", OWN_REVIEWERS, {}),
    ("mentors.edit", "POST"): ("/manager/mentors/{mentor_id}/edit", OWN_REVIEWERS, {"max_load": "x"}),
    ("mentors.allocate", "GET"): ("/manager/mentors/allocate", MANAGERS, {}),
    ("mentors.allocate", "POST"): ("/manager/mentors/allocate", MANAGERS, {"action": "confirm"}),
    ("mentors.placement", "GET"): ("/manager/mentors/placements/{placement_a}", OWN_REVIEWERS, {}),
    ("mentors.placement", "POST"): ("/manager/mentors/placements/{placement_a}", OWN_REVIEWERS, {}),
    ("mentor.index", "GET"): ("/mentor/", MENTORS, {}),
    ("mentor.student", "GET"): ("/mentor/students/{placement_a}", OWN_MENTOR, {}),
    ("mentor.add_note", "POST"): ("/mentor/students/{placement_a}/notes", OWN_MENTOR, {"summary": ""}),
    ("mentor.edit_note", "GET"): ("/mentor/notes/{note_a}", OWN_MENTOR, {}),
    ("mentor.edit_note", "POST"): ("/mentor/notes/{note_a}", OWN_MENTOR, {"summary": ""}),
    ("mentor.grade", "POST"): ("/mentor/students/{placement_a}/grade", OWN_MENTOR, {"grade": "Z"}),
    # matching rounds
    ("rounds.index", "GET"): ("/rounds/", MANAGERS, {}),
    ("rounds.new", "GET"): ("/rounds/new", MANAGERS, {}),
    ("rounds.new", "POST"): ("/rounds/new", MANAGERS, {}),
    ("rounds.mine", "GET"): ("/rounds/mine", allow("student_a", "student_b", "cm_x", "cm_y"), {}),
    ("rounds.detail", "GET"): ("/rounds/{round_pnu}", OWN_REVIEWERS, {}),
    ("rounds.run", "POST"): ("/rounds/{round_pnu}/run", OWN_REVIEWERS, {}),
    ("rounds.publish", "POST"): ("/rounds/{round_pnu}/publish", OWN_REVIEWERS, {}),
    ("rounds.exclude", "POST"): ("/rounds/{round_pnu}/exclude", OWN_REVIEWERS,
                                 {"application_id": "{application_round}", "reason": "conflict of interest"}),
    ("rounds.approve_all", "POST"): ("/rounds/{round_pnu}/approve-all", OWN_REVIEWERS, {}),
    ("rounds.approve", "POST"): ("/rounds/{round_pnu}/proposals/{proposal_a}/approve", OWN_REVIEWERS, {}),
    ("rounds.preferences", "GET"): ("/rounds/{round_pnu}/preferences", OWN_STUDENT, {}),
    ("rounds.move_choice", "POST"): ("/rounds/{round_pnu}/preferences/{application_round}/up", OWN_STUDENT, {}),
    ("rounds.ranking", "GET"): ("/rounds/{round_pnu}/openings/{opening_round}/ranking", OWN_COMPANY, {}),
    ("rounds.move_applicant", "POST"): (
        "/rounds/{round_pnu}/openings/{opening_round}/ranking/{application_round}/move/up", OWN_COMPANY, {}),
    ("rounds.set_acceptable", "POST"): (
        "/rounds/{round_pnu}/openings/{opening_round}/ranking/{application_round}/acceptability/not-acceptable",
        OWN_COMPANY, {}),
    # contests (one for PNU and SNU, organised by the programme office, so both exchange managers organise it; team_a is student_a's, on company_x's
    # problem; cm_y judges it; student_b is invited to it)
    ("contests.index", "GET"): ("/contests/", SIGNED_IN, {}),
    ("contests.new", "GET"): ("/contests/new", MANAGERS, {}),
    ("contests.new", "POST"): ("/contests/new", MANAGERS, {"title": ""}),
    ("contests.edit", "GET"): ("/contests/{contest}/edit", MANAGERS, {}),
    ("contests.edit", "POST"): ("/contests/{contest}/edit", MANAGERS, {"title": ""}),
    ("contests.detail", "GET"): ("/contests/{contest}", SIGNED_IN, {}),
    ("contests.move", "POST"): ("/contests/{contest}/move/judging", MANAGERS, {}),
    ("contests.propose", "GET"): ("/contests/{contest}/problems/new", COMPANY_MANAGERS, {}),
    ("contests.propose", "POST"): ("/contests/{contest}/problems/new", COMPANY_MANAGERS, {"title": ""}),
    ("contests.revise", "GET"): ("/contests/problems/{problem}/edit", OWN_COMPANY, {}),
    ("contests.revise", "POST"): ("/contests/problems/{problem}/edit", OWN_COMPANY, {"title": ""}),
    ("contests.problems", "GET"): ("/contests/{contest}/problems", MANAGERS, {}),
    ("contests.decide", "POST"): ("/contests/problems/{problem}/accept", MANAGERS, {}),
    ("contests.create_team", "POST"): ("/contests/{contest}/teams", STUDENTS, {"name": ""}),
    ("contests.team", "GET"): ("/contests/teams/{team_a}", allow("student_a", "student_b", "cm_y", "xm_own", "xm_other", "admin"), {}),
    ("contests.invite", "POST"): ("/contests/teams/{team_a}/invite", OWN_STUDENT, {"email": ""}),
    ("contests.answer", "POST"): ("/contests/invitations/{invitation_b}/decline", allow("student_b"), {}),
    ("contests.choose", "POST"): ("/contests/teams/{team_a}/choice", OWN_STUDENT, {}),
    ("contests.submit", "POST"): ("/contests/teams/{team_a}/submissions", OWN_STUDENT, {}),
    ("contests.submission_file", "GET"): ("/contests/submissions/{submission_a}/report",
                                          allow("student_a", "cm_y", "xm_own", "xm_other", "admin"), {}),
    ("contests.add_criterion", "POST"): ("/contests/{contest}/criteria", MANAGERS, {"name": ""}),
    # A criterion of a contest being judged: the rubric is fixed, so organisers get the refusal (and it stays).
    ("contests.remove_criterion", "POST"): ("/contests/criteria/{criterion_judged}/remove", MANAGERS, {}),
    ("contests.invite_judge", "POST"): ("/contests/{contest}/judges", MANAGERS, {"email": ""}),
    ("contests.assign", "POST"): ("/contests/{contest}/assign", MANAGERS, {"per_team": ""}),
    ("contests.judging", "GET"): ("/contests/{contest}/judging", allow("cm_y"), {}),
    ("contests.declare_conflict", "POST"): ("/contests/{contest}/conflicts", allow("cm_y"), {}),
    ("contests.scoring", "GET"): ("/contests/assignments/{assignment}", allow("cm_y"), {}),
    ("contests.scoring", "POST"): ("/contests/assignments/{assignment}", allow("cm_y"), {}),
    ("contests.results", "GET"): ("/contests/{contest}/results", MANAGERS, {}),
    # Before the results nobody invites a team to apply.
    ("contests.invite_to_opening", "POST"): ("/contests/teams/{team_a}/invite-to-opening", allow(), {}),
}


@dataclass
class World:
    ids: dict[str, int | str]
    emails: dict[str, str]
    sessions: dict[str, str] = field(default_factory=dict)  # role -> session cookie of a sign-in in the world


def build_world() -> World:
    """Two groups, two students, two companies, an exchange manager on each side, an admin, and records."""
    from sqlalchemy import select

    from marketplace.models import OpeningStatus
    from marketplace.models.notifications import OutboxEmail
    from marketplace.services import api_tokens, applications, companies, notifications, roster, rounds
    from tests.factories_applications import make_application, make_skilled_student, move, upload_cv
    from tests.factories_companies import make_company, make_opening, manager_of

    pnu, snu = make_group("PNU"), make_group("SNU")
    admin = make_admin()
    xm_own = make_exchange_manager(pnu, admin=admin)
    xm_other = make_exchange_manager(snu, admin=admin)
    student_a = make_skilled_student(group=pnu, degree_level="master")
    student_b = make_skilled_student(group=snu, degree_level="master")
    upload_cv(student_a)
    upload_cv(student_b)
    company_x = make_company(groups=[pnu], reviewer=xm_own)
    company_y = make_company(groups=[snu], reviewer=xm_other)
    cm_x, cm_y = manager_of(company_x), manager_of(company_y)
    anyone = dict(degree_levels=[], majors=[])
    opening_x = make_opening(company_x, reviewer=xm_own, **anyone)
    opening_offer = make_opening(company_x, reviewer=xm_own, **anyone)
    opening_round = make_opening(company_x, reviewer=xm_own, **anyone)
    draft_x = make_opening(company_x, status=OpeningStatus.DRAFT)
    opening_y = make_opening(company_y, reviewer=xm_other, **anyone)
    application_a = make_application(student_a, opening_x)
    offered = make_application(student_a, opening_offer)
    move(cm_x, offered, "shortlist", "offer")
    placement = applications.accept_offer(student_a, offered)
    application_round = make_application(student_a, opening_round)
    db.session.commit()
    joiner = make_company_manager()
    membership = companies.request_to_join(joiner, company_x.business_number)
    note = notifications.notify(student_a, "opening_published", "/", opening="X")
    db.session.flush()
    mail_a = db.session.scalars(select(OutboxEmail).where(OutboxEmail.notification_id == note.id)).one()
    mail_a.failed_at, mail_a.attempts, mail_a.last_error = mail_a.created_at, 5, "SMTPRecipientsRefused: 550"
    today = today_in_seoul()
    matching_round = rounds.create_round(xm_own, rounds.RoundData(
        name="Summer practice", group_id=pnu.id, application_deadline=today + timedelta(days=1),
        ranking_deadline=today + timedelta(days=2), opening_ids=[opening_round.id]), today=today)
    db.session.commit()
    rounds.run_round(xm_own, matching_round, today=today + timedelta(days=3))
    db.session.commit()
    proposal = matching_round.proposals[0]
    token_a = api_tokens.create_token(student_a, "LMS", ["read:applications"]).token
    db.session.commit()
    from marketplace.models import TokenPurpose
    from marketplace.services import tokens

    link_owner = make_student(group=pnu)  # live one-time links, for the pages that show a form behind one
    links = dict(reset_link=tokens.issue(link_owner, TokenPurpose.RESET_PASSWORD),
                 invitation_link=tokens.issue(link_owner, TokenPurpose.INVITATION))
    db.session.commit()
    unverified = make_student(group=pnu, verified=False)
    roster_import = roster.preview(xm_own, "roster.csv", b"email,name,degree level\nlisted@pusan.ac.kr,Listed,master\n")
    db.session.commit()
    scan_a, clause_a = _agreement_records(placement, cm_x, student_a, opening_x)
    mentor, mentor_other, note_a = _mentor_records(placement, pnu, admin)
    forum_ids = _forum_records(student_a, cm_x)
    practice_a, plan_a = _practice_records(student_a, company_x, xm_own, mentor)
    contest_ids = _contest_records(pnu, snu, admin, student_a, student_b, company_x, cm_y)
    placement_m = _approved_placement(student_a, company_x, xm_own)
    users = dict(student_a=student_a, student_b=student_b, cm_x=cm_x, cm_y=cm_y, xm_own=xm_own,
                 xm_other=xm_other, admin=admin, cm_new=make_company_manager(),  # cm_new: no company yet
                 mentor=mentor, mentor_other=mentor_other)
    return World(
        ids=dict(student_a_id=student_a.id, pnu=pnu.id, snu=snu.id, company_x=company_x.id, opening_x=opening_x.id, draft_x=draft_x.id,
                 application_a=application_a.id, placement_a=placement.id, membership_x=membership.id,
                 notification_a=note.id, mail_a=mail_a.id, designation_own=xm_own.active_designation.id, round_pnu=matching_round.id,
                 opening_round=opening_round.id, opening_y=opening_y.id, application_round=application_round.id, proposal_a=proposal.id,
                 token_a=token_a.id, profile_unverified=unverified.student_profile.id,
                 roster_import=roster_import.id, scan_a=scan_a, clause_a=clause_a, mentor_id=mentor.id,
                 mentor_other_id=mentor_other.id, note_a=note_a, practice_a=practice_a, plan_a=plan_a,
                 placement_m=placement_m, **links, **forum_ids, **contest_ids),
        emails={role: user.email for role, user in users.items()},
    )


def _forum_records(student_a, cm_x) -> dict[str, int]:
    """A question on the general board by student_a and a reply by cm_x."""
    from marketplace.services import forum

    board = forum.general_board()
    thread = forum.create_thread(student_a, board.id, forum.ThreadData(
        kind="question", title="Which hospital shares CT data?", body="Asking for the contest."))
    db.session.commit()  # the posting throttle counts on its own connection: no write may be pending
    reply = forum.reply(cm_x, thread.id, "Ours does, with an IRB approval.")
    db.session.commit()
    opening = forum.thread_page(student_a, thread.id).opening
    return dict(forum_board=board.id, forum_thread_a=thread.id, forum_post_a=opening.id, forum_reply_x=reply.id)


def _practice_records(student_a, company_x, xm_own, mentor) -> tuple[int, int]:
    """An active placement of student_a at company_x with week 1 submitted, mentored by `mentor`, and a course plan
    of PNU."""
    from marketplace.models import MentorAssignment, PlacementStatus, WeekStatus
    from tests.factories_companies import make_opening
    from tests.factories_practice import make_plan, make_practice_placement, make_week

    today = today_in_seoul()
    opening = make_opening(company_x, reviewer=xm_own, degree_levels=[], majors=[])
    placement = make_practice_placement(student_a, opening, start=today - timedelta(days=20),
                                        end=today + timedelta(days=60), status=PlacementStatus.ACTIVE)
    first = placement.start_date
    make_week(placement, 1, WeekStatus.SUBMITTED, days=[(first, "09:00", "13:00", 0)])
    plan = make_plan(student_a.student_profile.group, name="PNU practice")
    db.session.add(MentorAssignment(placement_id=placement.id, mentor_id=mentor.id, assigned_by_id=xm_own.id))
    db.session.commit()
    return placement.id, plan.id
def _contest_records(pnu, snu, admin, student_a, student_b, company_x, cm_y) -> dict[str, int]:
    from marketplace.models import JudgeAssignment
    from marketplace.services import contests
    from tests.factories_contests import make_contest, make_problem, submit, to_judging

    contest, _ = make_contest(organiser=admin, groups=[pnu, snu], allow_cross_group=True)
    problem, _cm = make_problem(contest, company=company_x, organiser=admin)
    team = contests.create_team(student_a, contest.id, "Team A", problem_id=problem.id)
    invitation = contests.invite_member(student_a, team.id, student_b.email)
    db.session.commit()
    submission = submit(team, student_a)
    judge = contests.invite_judge(admin, contest.id, cm_y.email)
    assignment = JudgeAssignment(judge_id=judge.id, team_id=team.id)
    db.session.add(assignment)
    db.session.commit()
    judged, _ = make_contest(organiser=admin, groups=[pnu, snu])
    to_judging(judged, admin)
    return dict(contest=contest.id, problem=problem.id, team_a=team.id, invitation_b=invitation.id,
                submission_a=submission.id, criterion_judged=judged.criteria[0].id, assignment=assignment.id)


def _agreement_records(placement, cm_x, student_a, opening_x) -> tuple[int, int]:
    """The host's insurance, a signed scan and an IRB document on file; the standard clauses seeded."""
    from marketplace.models import InsuranceKind
    from marketplace.seeding import seed_agreement_clauses
    from marketplace.services import agreements, clinical
    from tests.factories_agreements import insurance_data
    from tests.factories_applications import PDF

    seed_agreement_clauses()
    agreements.record_insurance(cm_x, placement.id, InsuranceKind.INDUSTRIAL_ACCIDENT, insurance_data(placement))
    agreements.upload_scan(student_a, placement.id, "signed.pdf", PDF)
    clinical.save_clinical(cm_x, opening_x.id, clinical.ClinicalData(
        data_source="hospital", irb_status="approved", irb_institution="PNU Hospital", irb_number="IRB-1",
        irb_date=today_in_seoul(), irb_filename="irb.pdf", irb_document=PDF))
    db.session.commit()
    state = agreements.agreement_state(placement)
    from marketplace.models import Certificate

    db.session.add(Certificate(placement_id=placement.id, code="7K2M9XQD4HRT", snapshot={
        "student_name": student_a.display_name, "host": opening_x.company.name, "start_date": "2026-03-02",
        "end_date": "2026-06-12", "hours": 120}))
    db.session.commit()
    return state.scans[0].id, agreements.clauses()[0].id


def _mentor_records(placement, pnu, admin):
    """Two PNU mentors; the first mentors placement_a (assigned directly: the world's placement is still pending,
    and the matrix is about who may open a page, not about the allocation rules) with one consultation note."""
    from marketplace.models import ConsultationMode, ConsultationNote, MentorAssignment

    mentor, mentor_other = make_mentor(pnu, admin=admin), make_mentor(pnu, admin=admin)
    db.session.add(MentorAssignment(placement_id=placement.id, mentor_id=mentor.id, assigned_by_id=admin.id))
    note = ConsultationNote(placement_id=placement.id, mentor_id=mentor.id, held_on=placement.start_date,
                            mode=ConsultationMode.VIDEO, summary="First meeting")
    db.session.add(note)
    db.session.commit()
    return mentor, mentor_other, note.id


def _approved_placement(student_a, company_x, xm_own) -> int:
    """An approved placement of student A without a mentor (the form that assigns one shows only for these)."""
    from marketplace.models import PlacementStatus
    from tests.factories_companies import make_opening
    from tests.factories_placements import make_placement

    opening = make_opening(company_x, reviewer=xm_own, degree_levels=[], majors=[])
    return make_placement(student_a, opening, status=PlacementStatus.APPROVED, decided_by=xm_own).id


@pytest.fixture(scope="module")
def world_files(tmp_path_factory, sqlite_template):
    folder = tmp_path_factory.mktemp("matrix")
    shutil.copy(sqlite_template, folder / "world.sqlite")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'world.sqlite'}",
                      "UPLOAD_FOLDER": str(folder / "uploads"), "LOGIN_RATE_LIMIT": "1000 per minute"})
    with app.app_context():
        world = build_world()
        db.session.remove()
    # Every role signs in once, through the form, in the saved world: each test's copy holds those sessions, so a
    # test's ten clients start signed in (signing in ten times a test was half the module's time).
    for role in ROLES[1:]:
        client = _signed_in(app, world, role)
        world.sessions[role] = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    with app.app_context():
        db.engine.dispose()
    return folder, world


@pytest.fixture
def world_app(world_files, shared_sqlite_path, tmp_path):
    folder, world = world_files
    url = fresh_sqlite_copy(folder / "world.sqlite", shared_sqlite_path)
    shutil.copytree(folder / "uploads", tmp_path / "uploads")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads"), "LOGIN_RATE_LIMIT": "1000 per minute"})
    app.test_client_class = IsolatedClient
    yield app, world
    with app.app_context():
        db.engine.dispose()


def routes(app) -> set[tuple[str, str]]:
    from marketplace.api.registry import RESOURCES

    api_resources = {blueprint.name for blueprint in RESOURCES}  # tests/api/test_api_access_matrix.py
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
            and rule.endpoint.split(".")[0] not in api_resources for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_route_is_in_the_matrix():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    missing = sorted(routes(app) - set(MATRIX))
    stale = sorted(set(MATRIX) - routes(app))
    assert not missing, f"routes without a row in the access matrix: {missing}"
    assert not stale, f"rows for routes that no longer exist: {stale}"


def _client(app, world: World, role: str):
    client = app.test_client()
    if role in world.sessions:
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], world.sessions[role])
    elif role != "anon":
        return _signed_in(app, world, role)
    return client


def _signed_in(app, world: World, role: str):
    client = app.test_client()
    if role != "anon":
        html = client.get("/auth/login").get_data(as_text=True)
        token = CSRF_RE.search(html).group(1)
        response = client.post("/auth/login", data={"csrf_token": token, "email": world.emails[role],
                                                     "password": PASSWORD})
        assert response.status_code == 302, f"{role} could not sign in"
    return client


def _outcome(response) -> str:
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/auth/login" in location:
        return LOGIN
    if response.status_code in (403, 404):
        return DENY
    if response.status_code >= 500:
        return f"error {response.status_code}"
    return OK


@pytest.mark.parametrize("endpoint, method", sorted(MATRIX))
def test_access(world_app, endpoint, method):
    app, world = world_app
    template, expected, data = MATRIX[(endpoint, method)]
    path = template.format(**world.ids)
    # The least privileged go first, so a successful action by an allowed role cannot mask a denial.
    order = sorted(ROLES, key=lambda role: expected[role] == OK)
    with app.app_context():
        for role in order:
            client = _client(app, world, role)
            if method == "GET":
                response = client.get(path)
            else:
                token = CSRF_RE.search(client.get("/").get_data(as_text=True)).group(1)
                body = {k: v.format(**world.ids) for k, v in data.items()}
                response = client.post(path, data={"csrf_token": token, **body})
            got = _outcome(response)
            assert got == expected[role], f"{method} {path} as {role}: expected {expected[role]}, got {got} " \
                                          f"({response.status_code} {response.headers.get('Location', '')})"
            if got == DENY:
                # Never the other party's data in a refusal.
                assert re.search(r"Correct-Horse|@pusan|@company", response.get_data(as_text=True)) is None
