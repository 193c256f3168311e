"""The back office's frame: the session behind a request, CSRF, flash messages, error pages,
and pages rendered in the layout with the navigation the user's role may use."""

from __future__ import annotations

import base64
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from oms.bootstrap import Container
from oms.config import Settings
from oms.domain.access import Actor
from oms.domain.errors import DomainError, Unauthenticated
from oms.services import sessions
from oms.services.ports import UnitOfWork
from oms.services.sessions import Session
from oms.services.views import BackOfficeViews
from oms.web import assets, nav, times
from oms.web.problems import problem_of
from oms.web.security import PAGE_HEADERS, SESSION_COOKIE, same_secret, sign, unsign

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals["asset"] = assets.url
templates.env.filters["when"] = times.when
templates.env.filters["day"] = times.day
FormText = Annotated[str, Form(max_length=1024)]
FORM_EXPIRED = "This form has expired. Please try again."
FLASH_COOKIE = "oms_flash"


def container(request: Request) -> Container:
    found: Container = request.app.state.container
    return found


def cookie_key(request: Request) -> bytes:
    """The cookie-signing key: OMS_SECRET_KEY, or the one kept in the database."""
    key: bytes | None = getattr(request.app.state, "cookie_key", None)
    if key is None:
        c = container(request)
        secret = c.settings.secret_key
        text = secret.get_secret_value() if secret else sessions.signing_key(c.uow())
        key = request.app.state.cookie_key = text.encode()
    return key


def secure(request: Request) -> bool:
    return container(request).settings.cookie_secure


def find_session(request: Request) -> Session | None:
    session_id = unsign(cookie_key(request), "session", request.cookies.get(SESSION_COOKIE))
    try:
        session = sessions.current_session(container(request).uow(), session_id)
    except Unauthenticated:
        return None
    request.state.user = session.actor.name  # for the request's log line
    return session


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page in the layout; with a session, the navigation its role may use."""
    session: Session | None = context.get("session")
    if session is not None:
        entries = nav.entries_for(session.actor, container(request).settings)
        context.update(nav=entries, nav_current=nav.current(request.url.path, entries))
    response = templates.TemplateResponse(request, template, context, status_code=status)
    response.headers.update(PAGE_HEADERS)
    return response


class LoginRequired(Exception):
    """No live session: the page sends the browser to the login form."""


class FormExpired(Exception):
    """A POST without its session's CSRF token: refused before anything runs."""


@dataclass
class Page:
    """What every back-office route gets: the request, the session, a unit of work."""

    request: Request
    session: Session
    uow: UnitOfWork
    views: BackOfficeViews

    @property
    def actor(self) -> Actor:
        return self.session.actor

    @property
    def settings(self) -> Settings:
        """The app's settings (the refund limit a page passes to the services)."""
        return container(self.request).settings

    def check_csrf(self, token: str) -> None:
        if not same_secret(token, self.session.csrf_token):
            raise FormExpired()

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        flash = take_flash(self.request)
        response = render(
            self.request, template, status, session=self.session, flash=flash, **context
        )
        if flash:
            response.delete_cookie(FLASH_COOKIE, path="/", secure=secure(self.request))
        return response

    def fragment(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        """Part of a page, for htmx to swap in: no layout, no flash taken."""
        return render(self.request, template, status, **context)

    def redirect(self, url: str, flash: str | None = None) -> Response:
        """See other (303): the browser GETs the page, so a reload posts nothing twice."""
        response = RedirectResponse(url, status_code=303)
        if flash:
            value = base64.urlsafe_b64encode(flash.encode()).decode()
            signed = sign(cookie_key(self.request), "flash", value)
            response.set_cookie(
                FLASH_COOKIE, signed, max_age=60, path="/", secure=secure(self.request),
                httponly=True, samesite="lax",
            )  # fmt: skip
        return response


def take_flash(request: Request) -> str | None:
    value = unsign(cookie_key(request), "flash", request.cookies.get(FLASH_COOKIE))
    if value is None:
        return None
    try:
        return base64.urlsafe_b64decode(value.encode()).decode()
    except ValueError:
        return None


def page(request: Request) -> Page:
    session = find_session(request)
    if session is None:
        raise LoginRequired()
    uow = container(request).uow()
    views = container(request).views(uow)
    request.state.page = found = Page(request, session, uow, views)
    return found


PageDep = Annotated[Page, Depends(page)]


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    found: Page | None = getattr(request.state, "page", None)
    session = found.session if found else None
    return render(request, "error.html", status, session=session, title=title, message=message)


class PageRoute(APIRoute):
    """A back-office route: no session sends to the login page, a refused CSRF token or a
    domain error the route did not handle itself becomes an error page with its status."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired:
                if request.headers.get("HX-Request"):
                    return Response(status_code=204, headers={"HX-Redirect": "/login"})
                return RedirectResponse("/login", status_code=303)
            except FormExpired:
                return error_page(request, 403, "Request refused", FORM_EXPIRED)
            except DomainError as error:
                problem = problem_of(error)
                return error_page(request, problem.status, problem.title, problem.detail)

        return route
