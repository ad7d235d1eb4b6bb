"""The composition root: the one place that names the concrete classes and wires them.

Every entry point (``serve``, ``socket``, ``scheduler``, ``console`` and each operator
command) loads its settings with :func:`load_settings` and opens everything else with
:func:`bootstrap`: the database, the use-case context over it, the Slack Web API client
(with one shared HTTP session), the Bolt app and the billing schedule. Nothing here does
I/O at import time; the database is opened inside :func:`bootstrap`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import ClientSession

from bot.ports import Clients, Clock, OutboxMessage, Render, StoredDocument
from bot.services import (
    CORRECTION,
    INVOICE,
    JOB,
    Context,
    billing_admins_of,
    get_document,
    make_document,
)
from bot.settings import Settings
from bot.settings import SettingsError as SettingsError  # the entry points' one import
from bot.settings import load_settings as load_settings
from storage import Database

if TYPE_CHECKING:
    from aiohttp import web

    # the Slack side is imported when used: the operator CLI never needs it
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.adapters.dm_sender import OutboxWork
    from bot.adapters.documents.from_ledger import SellerSettings
    from bot.adapters.documents.links import DocumentLinks
    from bot.adapters.slack_install.clients import Installed
    from bot.adapters.slack_install.crypto import TokenCipher
    from bot.adapters.slack_install.flow import InstallFlow
    from bot.adapters.slack_install.store import EncryptedInstallationStore
    from bot.adapters.webhooks import WebhookConfig
    from handlers.auth import UserDirectory


def build_context(settings: Settings, db: Database) -> Context:
    """The use cases' context: the store, the catalog and the configured defaults."""
    return Context(
        db=db,
        catalog=settings.catalog(),
        default_locale=settings.default_locale,
        default_timezone=settings.timezone,
        # ADDONS_BILLING_ADMINS is for the one workspace of single-workspace mode only
        billing_admins=() if settings.oauth else settings.billing_admins,
        documents=settings.documents,
        invoicing=settings.invoicing(),
    )


@dataclass
class Runtime:
    """The opened database, the context over it, and what builds the Slack side."""

    settings: Settings
    db: Database
    ctx: Context
    applied: list[str]  # the migrations opening the database applied
    http: ClientSession | None  # kept-alive connections to Slack's Web API, if any
    cipher: TokenCipher | None = None  # OAuth mode: ADDONS_TOKEN_KEY, checked on opening
    # OAuth mode: the one token keeper of this process (requests and schedule share its
    # single-flight rotation)
    _installed: Installed | None = field(default=None, repr=False)

    def web_client(self, *, interactive: bool = False, token: str | None = None) -> AsyncWebClient:
        """The Slack Web API client over the shared session (``slack_app.web_client``)."""
        from bot.adapters.slack_app import web_client

        return web_client(self.settings, interactive=interactive, session=self.http, token=token)

    def installations(self) -> EncryptedInstallationStore:
        """OAuth mode: the workspaces' installations in the app's database."""
        from bot.adapters.slack_install.store import installation_store

        if self.cipher is None or self.settings.slack_client_id is None:
            raise RuntimeError("installations exist in OAuth mode only")
        return installation_store(self.db, self.settings.slack_client_id, self.cipher)

    def team_clients(self) -> Clients:
        """The schedule's clients: the one bot token, or each workspace's own (rotated)."""
        if not self.settings.oauth:
            return self.web_client()
        return self.installed()

    def installed(self) -> Installed:
        """OAuth mode: each workspace's token, rotated single-flight; one per process."""
        if self._installed is not None:
            return self._installed
        from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator

        from bot.adapters.slack_install.clients import Installed

        rotator = AsyncTokenRotator(
            client_id=str(self.settings.slack_client_id),
            client_secret=str(self.settings.slack_client_secret),
            client=self.web_client(),
        )
        self._installed = Installed(
            self.installations(), rotator, lambda token: self.web_client(token=token)
        )
        return self._installed

    def slack_app(
        self,
        clock: Clock,
        *,
        client: AsyncWebClient | None = None,
        users: UserDirectory | None = None,
    ) -> AsyncApp:
        """The Bolt app with every listener; its client is the interactive one by default.

        In OAuth mode it carries the install flow, and Bolt finds each workspace's token.
        """
        from bot.adapters.slack_install.flow import oauth_flow

        client = client if client is not None else self.web_client(interactive=True)
        if not self.settings.oauth:
            return slack_app(self.settings, self.ctx, clock, client=client, users=users)
        installations = self.installations()
        flow = oauth_flow(
            self.db,
            installations,
            self.ctx,
            clock,
            client,
            str(self.settings.slack_client_id),
            str(self.settings.slack_client_secret),
            self.installed(),
        )
        return slack_app(
            self.settings,
            self.ctx,
            clock,
            client=client,
            users=users,
            installations=installations,
            oauth_flow=flow,
        )

    def crm_routes(self, clock: Clock) -> list[web.RouteDef]:
        """CloudCRM's signed way in, when ADDONS_CRM_SECRET is set; else none."""
        if not self.settings.crm_secrets:
            return []
        from bot.adapters.crm_inbound import crm_routes
        from bot.adapters.slack_install.store import installed_since

        db = self.db

        async def since(team_id: str) -> datetime | None:
            return await installed_since(db, team_id)

        return crm_routes(self.ctx, clock, self.settings.crm_secrets, since)

    def renderer(self, client: Clients) -> Render:
        """How the message sender turns an outbox message into Slack's message."""
        from handlers.notifications import renderer

        render: Render = renderer(self.ctx, client, self.settings.default_locale)
        return render

    def outbox_work(self) -> OutboxWork:
        """The sender's work besides posting: the document job, and the PDF a DM carries."""
        from bot.adapters.dm_sender import OutboxWork

        if not self.settings.documents:
            return OutboxWork()
        from bot.adapters.documents.renderer import Renderer

        renderer = Renderer(seller_settings(self.settings), self.ctx.catalog)
        links = document_links(self.settings)
        ctx = self.ctx

        async def document_job(message: OutboxMessage, now: datetime) -> None:
            p = message.payload
            also = str(p["also"]) if p.get("also") else None
            owner, number = str(p["owner"]), int(p["number"])
            await make_document(ctx, renderer, links, message.team_id, owner, number, now, also)

        async def attachment(message: OutboxMessage) -> StoredDocument | None:
            owner = CORRECTION if message.kind == "correction_issued" else INVOICE
            return await get_document(ctx, owner, int(message.payload["number"]), "pdf")

        return OutboxWork({JOB: document_job}, attachment)

    def start_schedule(self, clock: Clock, stop: asyncio.Event) -> asyncio.Task[None]:
        """The billing schedule and the message sender, beating until ``stop`` is set;
        beside them, as tasks of their own, CloudCRM's webhook sender if configured and
        (OAuth mode) the purge of expired OAuth states."""
        from bot.adapters.billing_schedule import run_schedule
        from bot.adapters.retention import Daily

        client = self.team_clients()
        schedule = run_schedule(
            self.ctx,
            client,
            clock,
            self.renderer(client),
            self.settings.billing_interval_seconds,
            stop,
            Daily(self.db, self.settings),
            self.outbox_work(),
        )
        beside = (self.start_webhooks(clock, stop), self.start_purge(clock, stop))
        others = [task for task in beside if task is not None]
        if not others:
            return asyncio.create_task(schedule)

        async def all_of_them() -> None:
            try:
                await schedule
            finally:
                await asyncio.gather(*others)

        return asyncio.create_task(all_of_them())

    def start_purge(self, clock: Clock, stop: asyncio.Event) -> asyncio.Task[None] | None:
        """OAuth mode: expired OAuth states purged at every beat; None otherwise."""
        if not self.settings.oauth:
            return None
        from bot.adapters.slack_install.state import purge_states_until

        interval = self.settings.billing_interval_seconds
        return asyncio.create_task(
            purge_states_until(self.db.writing_engine, clock, interval, stop)
        )

    def start_webhooks(self, clock: Clock, stop: asyncio.Event) -> asyncio.Task[None] | None:
        """CloudCRM's webhook sender until ``stop`` is set; None when it is not configured."""
        config = webhook_config(self.settings)
        if config is None:
            return None
        from bot.adapters.webhooks import run_webhooks

        return asyncio.create_task(run_webhooks(self.db, config, clock, stop))


def slack_app(
    settings: Settings,
    ctx: Context,
    clock: Clock,
    *,
    client: AsyncWebClient | None = None,
    users: UserDirectory | None = None,
    installations: EncryptedInstallationStore | None = None,
    oauth_flow: InstallFlow | None = None,
) -> AsyncApp:
    """The Bolt app over ``ctx``: every listener gets what it needs through its deps."""
    from bot.adapters.slack_app import build_app, web_client
    from handlers import actions, commands, events, home, views
    from handlers.auth import UserDirectory
    from handlers.deps import SlackDeps
    from handlers.early import Door

    async def admins_of(team_id: str) -> frozenset[str]:
        return await billing_admins_of(ctx, team_id)

    deps = SlackDeps(
        ctx=ctx,
        clock=clock,
        users=users
        or UserDirectory(settings.billing_admins, settings.user_cache_seconds, admins_of=admins_of),
        default_lang=settings.default_locale,
        installations=installations,
    )
    client = client if client is not None else web_client(settings, interactive=True)

    def listeners(app: AsyncApp) -> None:
        # Bolt tries listeners in order, building all arguments for each: modals first.
        for module in (commands, views, actions, home, events):
            module.register(app, deps)

    return build_app(settings, listeners, client=client, oauth_flow=oauth_flow, door=Door())


def webhook_config(settings: Settings) -> WebhookConfig | None:
    """Where events go, from the settings; None when the webhook is off."""
    if not (settings.webhook_url and settings.webhook_secret):
        return None
    from bot.adapters.webhooks import WebhookConfig

    return WebhookConfig(settings.webhook_url, settings.webhook_secret)


def seller_settings(settings: Settings) -> SellerSettings:
    """The seller's Handelsregister entry and (optional, XRechnung's) contact as settings."""
    from bot.adapters.documents.from_ledger import SellerSettings

    return SellerSettings(
        name=settings.seller_name or "",
        street=settings.seller_street,
        postcode=settings.seller_postcode,
        city=settings.seller_city,
        country=settings.seller_country,
        vat_id=settings.seller_vat_id,
        tax_number=settings.seller_tax_number,
        registration=settings.seller_registration,
        email=settings.seller_email,
        iban=settings.seller_iban,
        bic=settings.seller_bic,
        contact_name=settings.seller_contact_name.strip(),
        contact_phone=settings.seller_contact_phone.strip(),
        contact_email=settings.seller_contact_email.strip(),
    )


def document_links(settings: Settings) -> DocumentLinks | None:
    """Signed document links where ADDONS_PUBLIC_URL is set and events go out (their key
    is derived from the webhook secret, so no further secret is kept); else None."""
    if not (settings.public_url and settings.webhook_secret):
        return None
    import hashlib
    import hmac

    from bot.adapters.documents.links import DocumentLinks

    key = hmac.new(settings.webhook_secret.encode(), b"addons document links", hashlib.sha256)
    return DocumentLinks(settings.public_url, key.digest())


def open_database(settings: Settings, *, pool_size: int | None = None) -> Database:
    """The database the settings name, not yet opened; the storage's pool size by default."""
    options: dict[str, Any] = {} if pool_size is None else {"pool_size": pool_size}
    return Database(settings.database, **options)


@contextlib.asynccontextmanager
async def bootstrap(
    settings: Settings,
    *,
    pool_size: int | None = None,
    slack_session: bool = True,
    observed: bool = False,
    migrate: bool = False,
    create: bool = True,
) -> AsyncIterator[Runtime]:
    """Open the database and wire the rest; close it all afterwards.

    Only ``migrate`` (``addons-bot migrate``) changes a schema that exists; otherwise a
    schema behind or ahead is refused, and an empty database is created at the newest
    revision if ``create`` (``Database.open``). ``slack_session`` opens one aiohttp
    session for every Web API call of the run; the operator CLI never talks to Slack and
    the console's stand-in needs none. ``observed`` (the long-running processes) counts
    what the use cases commit and what the process and the billing runs do, for /metrics.
    """
    # Before anything is opened: a bad key changes nothing. The operator CLI and the
    # console never touch a token, so they need no key.
    cipher = token_cipher(settings) if slack_session else None
    db = open_database(settings, pool_size=pool_size)
    applied = await db.open(migrate, create=create)
    try:
        if cipher is not None:
            from bot.adapters.slack_install.store import check_key

            await check_key(db, cipher)
        ctx = build_context(settings, db)
        if observed:
            ctx = observe(ctx)
        if not slack_session:
            yield Runtime(settings, db, ctx, applied, None, cipher)
            return
        async with ClientSession() as http:
            yield Runtime(settings, db, ctx, applied, http, cipher)
    finally:
        await db.close()


def observe(ctx: Context) -> Context:
    """The context whose store counts commits; the process and billing metrics installed."""
    from bot.adapters.observability import metrics
    from bot.adapters.observability.store import ObservedStore

    metrics.install_process_collectors()
    metrics.count_billing_failures()
    return replace(ctx, db=ObservedStore(ctx.db))


def token_cipher(settings: Settings) -> TokenCipher | None:
    """OAuth mode's cipher from ADDONS_TOKEN_KEY (TokenKeyError if unusable); else None."""
    if not settings.oauth:
        return None
    from bot.adapters.slack_install.crypto import TokenCipher

    return TokenCipher(settings.token_key)
