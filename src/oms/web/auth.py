"""Logging in and out of the back office: the login form (with its pre-session CSRF
cookie), the session cookie, and logging out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from oms.domain.errors import TooManyAttempts, Unauthenticated
from oms.domain.users import SESSION_LIFETIME
from oms.services import sessions
from oms.services.sessions import LoginAttempt, Session
from oms.web.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    clear_cookie,
    new_csrf_token,
    same_secret,
    set_cookie,
    sign,
    unsign,
)
from oms.web.shell import (
    FORM_EXPIRED,
    FormText,
    container,
    cookie_key,
    find_session,
    render,
    secure,
)

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_AGE = 3600
WRONG_LOGIN = "Wrong user name or password."
THROTTLED = "Too many failed attempts. Wait a minute and try again."


def _login_form(
    request: Request, status: int = 200, error: str | None = None, username: str = ""
) -> HTMLResponse:
    """The login page with a fresh pre-session CSRF token, in the form and in a cookie."""
    token = new_csrf_token()
    response = render(
        request, "login.html", status, csrf_token=token, error=error, username=username
    )
    signed = sign(cookie_key(request), "login-csrf", token)
    set_cookie(
        response, LOGIN_CSRF_COOKIE, signed, LOGIN_CSRF_AGE, secure=secure(request), path="/login"
    )
    return response


def start_session(request: Request, response: Response, session: Session) -> None:
    """Give the browser the session's signed cookie."""
    signed = sign(cookie_key(request), "session", session.session_id)
    max_age = int(SESSION_LIFETIME.total_seconds())
    set_cookie(response, SESSION_COOKIE, signed, max_age, secure=secure(request))


@router.get("/login")
def login_page(request: Request) -> Response:
    if find_session(request) is not None:
        return RedirectResponse("/", status_code=303)
    return _login_form(request)


@router.post("/login")
def login(
    request: Request,
    username: FormText = "",
    password: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    expected = unsign(cookie_key(request), "login-csrf", request.cookies.get(LOGIN_CSRF_COOKIE))
    if expected is None or not same_secret(csrf_token, expected):
        return _login_form(request, 403, FORM_EXPIRED, username)
    address = request.client.host if request.client else "unknown"
    try:
        session = sessions.login(
            container(request).uow(), LoginAttempt(username, password, address)
        )
    except Unauthenticated:
        return _login_form(request, 401, WRONG_LOGIN, username)
    except TooManyAttempts:
        return _login_form(request, 429, THROTTLED, username)
    response = RedirectResponse("/", status_code=303)
    start_session(request, response, session)
    clear_cookie(response, LOGIN_CSRF_COOKIE, secure=secure(request), path="/login")
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: FormText = "") -> Response:
    session = find_session(request)
    if session is None:
        return RedirectResponse("/login", status_code=303)
    if not same_secret(csrf_token, session.csrf_token):
        return render(
            request, "error.html", 403, session=session, title="Request refused",
            message=FORM_EXPIRED,
        )  # fmt: skip
    sessions.logout(container(request).uow(), session.session_id)
    response = RedirectResponse("/login", status_code=303)
    clear_cookie(response, SESSION_COOKIE, secure=secure(request))
    return response
