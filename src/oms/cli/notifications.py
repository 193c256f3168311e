"""`oms worker`, `oms webhooks ...` and `oms outbox ...`: sending notifications, webhook
subscriptions, and the deliveries a person may retry."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from oms.cli import _safe, _uow, _when, _wired, app, console
from oms.domain.notifications.delivery import DeliveryStatus
from oms.domain.notifications.topics import WEBHOOK_TOPICS


@app.command()
def worker(
    once: bool = typer.Option(
        False, "--once", help="Deliver what is due now, then exit (for cron or tests)."
    ),
) -> None:
    """Send e-mails and webhooks from the outbox, until stopped.

    Each pass fans new events out to their recipients, sends what is due (retrying failures
    with back-off) and, once a minute, tells late shipments, completes the delivered
    orders that are due (`oms orders complete-due`) and sweeps expired checkout holds
    (their units go to waiting backorders). Ctrl-C or SIGTERM stops it
    after the batch in hand. Run several at once on PostgreSQL to share the work (SKIP
    LOCKED); on SQLite run one."""
    import signal
    import time

    from oms.domain.access import SYSTEM
    from oms.services import completion, holds, late_shipments, notifications

    stop = False
    late_every = 60.0  # seconds: late shipments are a daily matter, a query a minute is plenty
    late_checked = -late_every  # the first pass looks for them

    def halt(*_: object) -> None:
        nonlocal stop
        stop = True

    # Before wiring, which takes a moment: a stop asked for meanwhile ends it cleanly.
    signal.signal(signal.SIGTERM, halt)
    signal.signal(signal.SIGINT, halt)
    with _wired() as container:
        transport, settings = container.transport(), container.worker_settings()
        if stop:
            return
        if not once:
            console.print(f"Worker on {_safe(container.settings.database_url)}; Ctrl-C stops it.")
        while True:
            tell = time.monotonic() - late_checked >= late_every
            late_checked = time.monotonic() if tell else late_checked
            done = notifications.run_once(
                container.uow(),
                transport,
                settings,
                tell_late=late_shipments.tell_late_shipments if tell else None,
            )
            completed = completion.complete_due(container.uow(), SYSTEM) if tell else []
            swept = holds.sweep_expired(container.uow()) if tell else 0
            if done.busy or completed or swept:
                console.print(
                    f"fanned out {done.fanned_out}, delivered {done.delivered},"
                    f" told late {done.late}, completed {len(completed)} order(s),"
                    f" swept {swept} expired hold(s)"
                )
            if once or stop:
                break
            if not done.busy:
                time.sleep(container.settings.worker_poll_seconds)
            if stop:
                break


webhooks_app = typer.Typer(
    help="Webhook subscriptions: URLs told about events, signed with a secret.",
    no_args_is_help=True,
)
outbox_app = typer.Typer(
    help="Deliveries of notifications (webhooks, e-mails): list them, retry dead ones.",
    no_args_is_help=True,
)
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(outbox_app, name="outbox")


@webhooks_app.command("add")
def webhooks_add(
    url: str = typer.Argument(..., help="Where to POST events (http:// or https://)."),
    event: list[str] = typer.Option(
        ...,
        "--event",
        help="An event type to send (repeat for more): " + ", ".join(sorted(WEBHOOK_TOPICS)),
    ),
    secret: str | None = typer.Option(
        None, "--secret", help="The signing secret; none: one is generated."
    ),
) -> None:
    """Subscribe a URL to event types; prints the signing secret as the last line.

    The secret is shown this once: the receiver checks Webhook-Signature with it. A URL
    on a loopback, link-local or private address is refused unless
    OMS_WEBHOOKS_ALLOW_PRIVATE=true (development only)."""
    from oms.domain.access import SYSTEM
    from oms.services.webhooks import create_webhook

    with _wired() as container:
        hook = create_webhook(
            container.uow(), SYSTEM, url, event, secret, container.webhook_guard()
        )
    console.print(
        f"webhook {hook.id} sends {escape(', '.join(hook.events))} to {escape(hook.url)};"
        " its signing secret (shown once, keep it now):"
    )
    typer.echo(hook.secret)


@webhooks_app.command("list")
def webhooks_list() -> None:
    """Live subscriptions: id, URL, event types, who made them and when (no secrets)."""
    from oms.domain.access import SYSTEM
    from oms.services.webhooks import list_webhooks

    with _uow() as uow:
        found = list_webhooks(uow, SYSTEM)
    table = Table("id", "url", "events", "created by", "created", title="Webhooks")
    for h in found:
        table.add_row(
            str(h.id), escape(h.url), " ".join(h.events), escape(h.created_by), _when(h.created_at)
        )
    console.print(table)


@webhooks_app.command("delete")
def webhooks_delete(webhook_id: int = typer.Argument(..., help="Id of the subscription.")) -> None:
    """Delete a subscription: nothing more is sent to its URL."""
    from oms.domain.access import SYSTEM
    from oms.services.webhooks import delete_webhook

    with _uow() as uow:
        delete_webhook(uow, SYSTEM, webhook_id)
    console.print(f"webhook {webhook_id} is deleted")


@outbox_app.command("list")
def outbox_list(
    status: DeliveryStatus | None = typer.Option(
        None, "--status", help="Only deliveries in this state (dead: gave up, to retry)."
    ),
    limit: int = typer.Option(50, "--limit", min=1, max=200, help="How many, newest first."),
) -> None:
    """Deliveries newest first: event, recipient, state, attempts and the last error."""
    from oms.domain.access import SYSTEM
    from oms.domain.notifications.signing import event_key
    from oms.services.notifications import list_deliveries

    with _uow() as uow:
        found = list_deliveries(uow, SYSTEM, status, None, limit)
    table = Table(
        "id", "event", "type", "to", "status", "attempts", "last error", title="Deliveries"
    )
    for d in found:
        table.add_row(
            str(d.id),
            event_key(d.event.id),
            d.event.topic,
            escape(d.recipient),
            d.status.value,
            str(d.attempts),
            escape(d.last_error or "-"),
        )
    console.print(table)


@outbox_app.command("retry")
def outbox_retry(delivery_id: int = typer.Argument(..., help="Id of a dead delivery.")) -> None:
    """Try a dead delivery again at the worker's next pass, with the same event id."""
    from oms.domain.access import SYSTEM
    from oms.services.notifications import retry_delivery

    with _uow() as uow:
        again = retry_delivery(uow, SYSTEM, delivery_id)
    console.print(
        f"delivery {again.id} to {escape(again.recipient)} is pending again; "
        "the worker (oms worker) sends it at its next pass"
    )
