"""Reflex configuration. Every value comes from prepple.settings (PREPPLE_* variables)."""

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin
from reflex_components_radix.plugin import RadixThemesPlugin

from prepple.components.theme import app_theme
from prepple.settings import get_settings

_settings = get_settings()

config = rx.Config(
    app_name="prepple",
    telemetry_enabled=False,
    frontend_port=_settings.frontend_port,
    backend_port=_settings.backend_port,
    api_url=_settings.api_url,
    deploy_url=_settings.base_url,
    # Only the app's own origin(s) may call /api/*, /_health and the event socket with
    # credentials (Reflex's default "*" echoed any Origin).
    cors_allowed_origins=_settings.allowed_origins,
    # Reflex state in Redis when scaled out (several backend workers); in memory otherwise.
    redis_url=_settings.redis_url or None,
    state_manager_mode="redis" if _settings.redis_url else "memory",
    show_built_with_reflex=False,
    plugins=[RadixThemesPlugin(theme=app_theme())],
    disable_plugins=[SitemapPlugin],
)
