"""Look-alike e-mails and blank-looking names: one canonical address per person on every path."""
import pytest

from marketplace.extensions import db
from marketplace.models import Role, User
from marketplace.services import accounts
from marketplace.services.errors import DomainError
from marketplace.services.identity import canonical_email, clean_display_name, normalize_email
from tests.factories import PASSWORD, make_admin, make_company_manager, make_group, make_student


@pytest.mark.parametrize("typed", [
    "ｓtudent@pusan.ac.kr",   # fullwidth s
    "ſtudent@pusan.ac.kr",    # long s
    "STUDENT@Pusan.AC.KR ",
    "ｓｔｕｄｅｎｔ＠ｐｕｓａｎ．ａｃ．ｋｒ",
])
def test_look_alike_spellings_of_an_existing_address_are_the_same_account(app, typed):
    make_student(email="student@pusan.ac.kr")
    assert accounts.find_user_by_email(typed).email == "student@pusan.ac.kr"
    with pytest.raises(DomainError) as error:
        accounts.register_company_manager(typed, PASSWORD, "Someone Else")
    assert error.value.field == "email" and "already exists" in error.value.message


@pytest.mark.parametrize("typed", [
    "\u0455tudent@pusan.ac.kr",          # Cyrillic dze looks like s
    "stud\u0435nt@pusan.ac.kr",          # Cyrillic ie looks like e
    "\u03bfscar@pusan.ac.kr",            # Greek omicron
    "kim@pus\u0430n.ac.kr",              # Cyrillic a inside a Latin domain
])
def test_addresses_with_characters_from_other_alphabets_are_refused_beside_the_email(app, typed):
    with pytest.raises(DomainError) as error:
        accounts.register_company_manager(typed, PASSWORD, "Kim")
    assert error.value.field == "email"
    assert db.session.query(User).count() == 0


def test_a_korean_domain_name_is_accepted_and_stored_canonical():
    assert normalize_email("Kim@한국대학교.KR") == "kim@한국대학교.kr"
    assert canonical_email("  ＫＩＭ@x.kr ") == "kim@x.kr"


@pytest.mark.parametrize("name", [
    "\u200b\u200b",       # zero-width spaces
    "\u3164\u3164",       # Hangul filler
    "\u2800",             # Braille blank
    "\u00a0 \u2003",      # no-break and em spaces
    "\u200d",             # a lone zero-width joiner
    "...",
    "Kim\u202eniM",       # right-to-left override hides what is shown
])
def test_blank_looking_or_hidden_display_names_are_refused(app, name):
    with pytest.raises(DomainError) as error:
        accounts.register_company_manager("kim@company.co.kr", PASSWORD, name)
    assert error.value.field == "display_name"


def test_display_names_keep_their_letters_with_blanks_tidied():
    assert clean_display_name("  김\u00a0 민수 ") == "김 민수"
    assert clean_display_name("O'Neil-Park") == "O'Neil-Park"


def test_sign_in_admin_search_designation_and_cli_use_the_canonical_address(app, runner):
    make_company_manager("kim@company.co.kr")
    assert accounts.authenticate("ＫＩＭ@company.co.kr", PASSWORD) is not None
    assert [u.email for u in db.session.scalars(accounts.users_query("ｋim@"))] == ["kim@company.co.kr"]
    result = runner.invoke(args=["create-admin", "--email", "Ｏffice@Office.go.kr", "--name", "Office",
                                 "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert accounts.find_user_by_email("office@office.go.kr").role == Role.ADMIN
    result = runner.invoke(args=["create-admin", "--email", "\u043effice@office.go.kr", "--name", "Office",
                                 "--password", PASSWORD])
    assert result.exit_code != 0 and "email" in result.output


def test_designating_a_look_alike_address_finds_the_existing_account(app):
    from marketplace.services import designations

    admin = make_admin()
    group = make_group("PNU")
    existing = accounts.create_user("lee@office.go.kr", PASSWORD, "Lee", Role.EXCHANGE_MANAGER, admin)
    db.session.commit()
    designation = designations.designate(admin, "ｌee@office.go.kr", 12, [group.id])
    assert designation.user_id == existing.id
