"""The staff back office: the login and logout forms and the home page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from oms.bootstrap import Container
from oms.domain.access import Permission
from oms.domain.errors import TooManyAttempts, Unauthenticated
from oms.domain.users import SESSION_LIFETIME
from oms.services import orders, sessions
from oms.services.ports import OrderFilter
from oms.services.sessions import LoginAttempt, Session
from oms.web.security import (
    LOGIN_CSRF_COOKIE,
    PAGE_HEADERS,
    SESSION_COOKIE,
    clear_cookie,
    new_csrf_token,
    same_secret,
    set_cookie,
    sign,
    unsign,
)

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
FormText = Annotated[str, Form(max_length=1024)]
LOGIN_CSRF_AGE = 3600
HOME_ORDERS = 20
FORM_EXPIRED = "This form has expired. Please try again."


def _container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def _key(request: Request) -> bytes:
    """The cookie-signing key: OMS_SECRET_KEY, or the one kept in the database."""
    key: bytes | None = getattr(request.app.state, "cookie_key", None)
    if key is None:
        container = _container(request)
        secret = container.settings.secret_key
        text = secret.get_secret_value() if secret else sessions.signing_key(container.uow())
        key = request.app.state.cookie_key = text.encode()
    return key


def _secure(request: Request) -> bool:
    return _container(request).settings.cookie_secure


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    response = templates.TemplateResponse(request, template, context, status_code=status)
    response.headers.update(PAGE_HEADERS)
    return response


def _session(request: Request) -> Session | None:
    session_id = unsign(_key(request), "session", request.cookies.get(SESSION_COOKIE))
    try:
        return sessions.current_session(_container(request).uow(), session_id)
    except Unauthenticated:
        return None


def _login_form(request: Request, status: int = 200, error: str | None = None) -> HTMLResponse:
    """The login page with a fresh pre-session CSRF token, in the form and in a cookie."""
    token = new_csrf_token()
    response = _page(request, "login.html", status, csrf_token=token, error=error)
    signed = sign(_key(request), "login-csrf", token)
    set_cookie(
        response, LOGIN_CSRF_COOKIE, signed, LOGIN_CSRF_AGE, secure=_secure(request), path="/login"
    )
    return response


@router.get("/login")
def login_page(request: Request) -> Response:
    if _session(request) is not None:
        return RedirectResponse("/", status_code=303)
    return _login_form(request)


@router.post("/login")
def login(
    request: Request,
    username: FormText = "",
    password: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    expected = unsign(_key(request), "login-csrf", request.cookies.get(LOGIN_CSRF_COOKIE))
    if expected is None or not same_secret(csrf_token, expected):
        return _login_form(request, 403, FORM_EXPIRED)
    address = request.client.host if request.client else "unknown"
    try:
        session = sessions.login(
            _container(request).uow(), LoginAttempt(username, password, address)
        )
    except Unauthenticated:
        return _login_form(request, 401, "Wrong user name or password.")
    except TooManyAttempts:
        return _login_form(request, 429, "Too many failed attempts. Wait a minute and try again.")
    response = RedirectResponse("/", status_code=303)
    secure = _secure(request)
    signed = sign(_key(request), "session", session.session_id)
    max_age = int(SESSION_LIFETIME.total_seconds())
    set_cookie(response, SESSION_COOKIE, signed, max_age, secure=secure)
    clear_cookie(response, LOGIN_CSRF_COOKIE, secure=secure, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: FormText = "") -> Response:
    session = _session(request)
    if session is None:
        return RedirectResponse("/login", status_code=303)
    if not same_secret(csrf_token, session.csrf_token):
        return _page(request, "error.html", 403, message=FORM_EXPIRED, session=session)
    sessions.logout(_container(request).uow(), session.session_id)
    response = RedirectResponse("/login", status_code=303)
    clear_cookie(response, SESSION_COOKIE, secure=_secure(request))
    return response


@router.get("/")
def home(request: Request) -> Response:
    session = _session(request)
    if session is None:
        return RedirectResponse("/login", status_code=303)
    newest = None
    if session.actor.may(Permission.ORDER_READ):
        uow = _container(request).uow()
        newest = orders.list_orders(uow, session.actor, OrderFilter(limit=HOME_ORDERS))
    return _page(request, "home.html", session=session, orders=newest)
