"""Accounts: registration, authentication, passwords, sessions, locale."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import DegreeLevel, Designation, ProjectGroup, Role, StudentProfile, Track, User
from marketplace.models.base import utcnow
from marketplace.models.users import new_session_token
from marketplace.services import account_mail, audit, email_confirmation, throttle
from marketplace.services.errors import DomainError, NotFound, Reasons
from marketplace.services.identity import canonical_email, clean_display_name, normalize_email
from marketplace.services.passwords import hash_password, password_problem, verify_password


def find_user_by_email(email: str) -> User | None:
    """The account of this address as anyone may type it (fullwidth, upper case, blanks around)."""
    return db.session.scalar(select(User).where(func.lower(User.email) == canonical_email(email)))


# The signed-in user of every request, with the designations (and their groups) its permission checks read: one
# statement instead of three (their selectins), on every page an exchange manager opens.
# Built once, the token a parameter: building the statement and its cache key anew cost more than its lookup.
_SIGNED_IN = (select(User).options(joinedload(User.designations).joinedload(Designation.groups))
              .where(User.session_token == bindparam("token")))


def get_user_by_session_token(token: str) -> User | None:
    if not token:
        return None
    return db.session.execute(_SIGNED_IN, {"token": token}).unique().scalar_one_or_none()


def _unused_email(email: str) -> str:
    email = normalize_email(email)
    if find_user_by_email(email) is not None:
        raise _email_taken()
    return email


def _check_new_account(email: str, password: str, display_name: str, problems: Reasons | None = None,
                       client_address: str | None = None) -> str | None:
    """The normalised e-mail of a new account. Problems with the address, password and name are noted in
    `problems` (raised by the caller), or raised together here when there is no `problems`.

    With `client_address` (the web forms), every attempt counts against REGISTRATION_RATE_LIMIT for that
    address first (TooManyAttempts), and an address that already has an account is *not* a problem: the form
    must not tell whether an address has an account, so the caller finds out with `existing_account` once
    everything else is valid and answers as if it registered (see `_quietly_taken`)."""
    if client_address is not None:
        throttle.reserve(throttle.configured("REGISTRATION_RATE_LIMIT"), "registration-address:" + client_address)
    own = problems is None
    problems = Reasons() if own else problems
    address = problems.collect(normalize_email if client_address is not None else _unused_email, email)
    problem = password_problem(password, address or canonical_email(email))
    if problem:
        problems.add("password", problem)
    problems.collect(clean_display_name, display_name)
    if own:
        problems.raise_if_any()
    return address


def _quietly_taken(email: str, password: str) -> bool:
    """On the web forms: if `email` has an account, tell its owner by e-mail (someone tried to register with
    it; sign in or reset the password) and answer True, so the form shows what a new registration shows. The
    password is hashed all the same, so the answer takes as long either way. The notice is sent at most
    CONFIRMATION_RATE_LIMIT times per account; past it nothing is sent and nothing is said."""
    existing = find_user_by_email(email)
    if existing is None:
        return False
    hash_password(password)
    try:
        throttle.reserve(throttle.configured("CONFIRMATION_RATE_LIMIT"), f"registration-notice:{existing.id}")
    except throttle.TooManyAttempts:
        return True
    if existing.active:
        account_mail.registration_attempt(existing)
        audit.record(None, "user", existing.id, "registration_attempted")
    return True


def _email_taken() -> DomainError:
    return DomainError(str(_l("An account with this e-mail address already exists.")), field="email")


def insert_account(user: User) -> None:
    """Write a new account. Two registrations of one e-mail at the same moment both pass the check above;
    the database's unique index refuses the second, which then gets the same message as if it came later."""
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()  # the transaction is dead either way; the caller starts afresh
        if find_user_by_email(user.email) is not None:
            raise _email_taken() from None
        raise


def _inserted(user: User, quiet: bool, password: str) -> bool:
    """insert_account; on the web forms, losing a race for the address answers like `_quietly_taken`."""
    if not quiet:
        insert_account(user)
        return True
    try:
        insert_account(user)
    except DomainError:
        _quietly_taken(user.email, password)
        return False
    return True


@dataclass(frozen=True)
class StudentRegistration:
    email: str
    password: str
    display_name: str
    group_id: int
    major: str
    degree_level: str
    year: int | None = None
    track_id: int | None = None
    locale: str | None = None
    client_address: str | None = None  # set by the web form: registrations are throttled per address
    # Seeds and trusted imports only (the web form never sets it): the address counts as confirmed at once.
    email_confirmed: bool = False


def _confirm_or_ask(user: User, trusted: bool) -> None:
    """A new account's address: confirmed at once by a trusted caller (seeds), else a link is mailed."""
    if trusted:
        email_confirmation.mark_confirmed(user, None, "seeded")
    else:
        email_confirmation.send_confirmation(user)


def register_student(data: StudentRegistration) -> User | None:
    """A student signs up; every problem of the form is reported at once.

    From the web form (`client_address` set) an address that already has an account is not reported: its
    owner gets an e-mail instead and None is returned, so the page answers exactly as for a new account
    ("we sent you a link"). Other callers (seeds, imports) get the "already exists" error beside the e-mail."""
    problems = Reasons()
    email = _check_new_account(data.email, data.password, data.display_name, problems,
                               client_address=data.client_address)
    group = db.session.get(ProjectGroup, data.group_id) if data.group_id else None
    if group is None or not group.active:
        problems.add("group_id", _l("Choose one of the listed project groups."))
    degree = problems.choice(DegreeLevel, data.degree_level, "degree_level", _l("Choose a degree level."))
    if not (data.major or "").strip():
        problems.add("major", _l("Enter your major."))
    track = None
    if data.track_id:
        track = db.session.get(Track, data.track_id)
        if track is None or (group is not None and track.group_id != group.id):
            problems.add("track_id", _l("This track does not belong to the chosen group."))
    problems.raise_if_any()
    quiet = data.client_address is not None
    if quiet and _quietly_taken(email, data.password):
        return None
    user = User(
        email=email,
        password_hash=hash_password(data.password),
        display_name=clean_display_name(data.display_name),
        role=Role.STUDENT,
        locale=data.locale,
    )
    user.student_profile = StudentProfile(
        group_id=group.id,
        major=data.major.strip(),
        degree_level=degree,
        year=data.year,
        track_id=track.id if track else None,
    )
    if not _inserted(user, quiet, data.password):
        return None
    audit.record(user, "user", user.id, "registered", None, Role.STUDENT.value)
    _confirm_or_ask(user, data.email_confirmed)
    return user


def register_company_manager(email: str, password: str, display_name: str, locale: str | None = None,
                             client_address: str | None = None, email_confirmed: bool = False) -> User | None:
    """A company manager signs up (then creates or joins a company); None as in `register_student`."""
    email = _check_new_account(email, password, display_name, client_address=client_address)
    quiet = client_address is not None
    if quiet and _quietly_taken(email, password):
        return None
    user = User(
        email=email,
        password_hash=hash_password(password),
        display_name=clean_display_name(display_name),
        role=Role.COMPANY_MANAGER,
        locale=locale,
    )
    if not _inserted(user, quiet, password):
        return None
    audit.record(user, "user", user.id, "registered", None, Role.COMPANY_MANAGER.value)
    _confirm_or_ask(user, email_confirmed)
    return user


def create_user(email: str, password: str, display_name: str, role: Role, actor: User | None = None,
                temporary: bool = True) -> User:
    """Create a staff or admin account (CLI, admin console) with a password someone else chose: it is
    temporary, so its owner must replace it at first sign-in; the confirmation link is mailed once they have
    (links are bound to the password, so one sent now would die at that change). Seeds pass temporary=False
    (demo accounts sign in with the README's password and count as confirmed)."""
    email = _check_new_account(email, password, display_name)
    user = User(email=email, password_hash=hash_password(password), display_name=clean_display_name(display_name),
                role=role, must_change_password=temporary)
    insert_account(user)
    audit.record(actor, "user", user.id, "created", None, role.value, "temporary password" if temporary else "")
    if not temporary:
        email_confirmation.mark_confirmed(user, actor, "seeded")
    return user


def authenticate(email: str, password: str, client_address: str | None = None) -> User | None:
    """The user if e-mail and password match an active account; one answer for every failure.

    With `client_address` (every sign-in form), failures count against LOGIN_RATE_LIMIT per account and
    per address; past it TooManyAttempts is raised before the password is even checked.
    """
    attempt = None
    if client_address is not None:
        attempt = throttle.reserve(throttle.configured("LOGIN_RATE_LIMIT"),
                                   "login-address:" + client_address, "login-account:" + canonical_email(email))
    user = find_user_by_email(email or "")
    ok = verify_password(user.password_hash if user else None, password or "")
    if not ok or user is None or not user.active:
        return None
    if attempt is not None:
        attempt.release()  # only failures count
    user.last_login_at = utcnow()
    return user


def end_all_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie of this user."""
    user.session_token = new_session_token()


def confirm_password(user: User, password: str) -> bool:
    """Whether `password` is the signed-in user's. Wrong answers count like failed sign-ins of the
    account (LOGIN_RATE_LIMIT), so a stolen session never becomes a password-guessing oracle."""
    attempt = throttle.reserve(throttle.configured("LOGIN_RATE_LIMIT"), f"password-check:{user.id}")
    if not verify_password(user.password_hash, password or ""):
        return False
    attempt.release()
    return True


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not confirm_password(user, current_password):
        raise DomainError(str(_l("The current password is not correct.")), field="current_password")
    problem = password_problem(new_password, user.email)
    if problem:
        raise DomainError(problem, field="new_password")
    if verify_password(user.password_hash, new_password):
        raise DomainError(str(_l("Choose a password different from the current one.")), field="new_password")
    set_password(user, new_password, "password_changed")


def set_password(user: User, new_password: str, action: str, actor: User | None = None) -> None:
    """Store a new (already checked) password: every session ends, every link made for the old password dies.
    An address still unconfirmed gets a fresh confirmation link, as the one it had died with the old password."""
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    end_all_sessions(user)
    audit.record(actor or user, "user", user.id, action)
    if not email_confirmation.has_confirmed_email(user):
        email_confirmation.send_confirmation(user)


def set_active(actor: User, user: User, active: bool) -> None:
    """(De)activate an account; deactivation ends every session of it at once."""
    if actor.id == user.id and not active:
        raise DomainError(str(_l("You cannot deactivate your own account.")))
    if user.active == active:
        return
    before = "active" if user.active else "inactive"
    user.active = active
    if not active:
        end_all_sessions(user)
    audit.record(actor, "user", user.id, "activated" if active else "deactivated", before,
                 "active" if active else "inactive")


def set_locale(user: User, locale: str) -> None:
    user.locale = locale




def users_query(search: str = ""):
    """Accounts for the programme office's list, newest first; `search` matches e-mail or name."""
    query = select(User).order_by(User.created_at.desc(), User.id.desc())
    search = canonical_email(search)[:100]
    if search:
        pattern = f"%{search}%"
        query = query.where(or_(func.lower(User.email).like(pattern), func.lower(User.display_name).like(pattern)))
    return query


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(str(_l("No such account.")))
    return user
