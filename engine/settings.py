"""What an installation sets, as one typed object. The web app (`create_app`) and the `xieshang` command build it from
their environment and configuration (`Settings.from_mapping`, the XIESHANG_* names below) and hand it to the engine
with the session (`use`, or `engine.db.make_sessionmaker(engine, settings)`); the engine reads no environment.

XIESHANG_DATABASE_URL          SQLAlchemy URL (default: sqlite:///instance/xieshang.db)
XIESHANG_SECRET_KEY            the web app's session key (default: a random one kept in instance/secret_key)
XIESHANG_DUE_SOON_DAYS         a task due within this many working days is 即将到期 (3)
XIESHANG_FILES_DIR             where attachments are stored (default: instance/files)
XIESHANG_UPLOAD_MAX_MB         largest attachment (20)
XIESHANG_UPLOAD_TYPES          allowed extensions, comma-separated (default: every kind engine.attachments knows)
XIESHANG_SMTP_HOST             mail server; no mail without it
XIESHANG_SMTP_PORT (25), XIESHANG_SMTP_FROM, XIESHANG_SMTP_USER, XIESHANG_SMTP_PASSWORD, XIESHANG_SMTP_STARTTLS,
XIESHANG_BASE_URL              for links in mail
XIESHANG_SECURE_COOKIES        1 behind TLS: the session cookie is sent over HTTPS only, and HSTS is announced
XIESHANG_TRUSTED_PROXIES       how many reverse proxies in front set X-Forwarded-For/-Proto/-Host/-Port/-Prefix
                               (0, the default: those headers are ignored, the client is the TCP peer)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy.orm import Session

DEFAULT_URL = "sqlite:///instance/xieshang.db"
DEFAULT_SOON_DAYS = 3
KEY = "settings"  # Session.info


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "xieshang@localhost"
    username: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = False
    base_url: str = ""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_URL
    secret_key: str | None = field(default=None, repr=False)
    due_soon_days: int = DEFAULT_SOON_DAYS
    files_dir: Path | None = None
    upload_max_mb: float = 20
    upload_types: frozenset[str] | None = None
    smtp: SmtpSettings | None = None
    secure_cookies: bool = False
    trusted_proxies: int = 0

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Settings:
        """From the XIESHANG_* names (an environment, a Flask config); what is unset or malformed keeps its default."""
        def text(name: str) -> str:
            return str(values.get(f"XIESHANG_{name}") or "").strip()

        types = [t.strip().lower().lstrip(".") for t in text("UPLOAD_TYPES").split(",") if t.strip()]
        return cls(database_url=text("DATABASE_URL") or DEFAULT_URL, secret_key=text("SECRET_KEY") or None,
                   due_soon_days=_number(text("DUE_SOON_DAYS"), int, DEFAULT_SOON_DAYS),
                   files_dir=Path(text("FILES_DIR")) if text("FILES_DIR") else None,
                   upload_max_mb=_number(text("UPLOAD_MAX_MB"), float, 20.0),
                   upload_types=frozenset(types) if types else None, smtp=smtp_from(values),
                   secure_cookies=text("SECURE_COOKIES").lower() in ("1", "true", "yes"),
                   trusted_proxies=_number(text("TRUSTED_PROXIES"), int, 0))


def smtp_from(values: Mapping[str, Any]) -> SmtpSettings | None:
    """From the XIESHANG_SMTP_* names and XIESHANG_BASE_URL; None when no host is set."""
    host = str(values.get("XIESHANG_SMTP_HOST") or "").strip()
    if not host:
        return None
    return SmtpSettings(
        host=host, port=_number(str(values.get("XIESHANG_SMTP_PORT") or ""), int, 25),
        sender=str(values.get("XIESHANG_SMTP_FROM") or "xieshang@localhost"),
        username=str(values.get("XIESHANG_SMTP_USER") or ""), password=str(values.get("XIESHANG_SMTP_PASSWORD") or ""),
        starttls=str(values.get("XIESHANG_SMTP_STARTTLS") or "").lower() in ("1", "true", "yes"),
        base_url=str(values.get("XIESHANG_BASE_URL") or "").rstrip("/"))


def _number(value: str, kind: type, default):
    try:
        number = kind(value)
    except ValueError:
        return default
    return number if number >= 0 else default


DEFAULTS = Settings()


def of(session: Session) -> Settings:
    """The settings handed in with this session (the defaults when none were)."""
    return session.info.get(KEY) or DEFAULTS


def use(session: Session, settings: Settings) -> None:
    session.info[KEY] = settings
