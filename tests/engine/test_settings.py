"""Settings are one typed object handed in; the engine reads no environment."""
from __future__ import annotations

import re
from pathlib import Path

from engine.worklist import mailer, pages as worklist
from engine import settings
from engine.settings import Settings, SmtpSettings

ENGINE = Path(__file__).resolve().parents[2] / "engine"


def test_from_the_xieshang_names():
    given = Settings.from_mapping({
        "XIESHANG_DATABASE_URL": "postgresql://db/x", "XIESHANG_DUE_SOON_DAYS": "5", "XIESHANG_FILES_DIR": "/srv/f",
        "XIESHANG_UPLOAD_MAX_MB": "2.5", "XIESHANG_UPLOAD_TYPES": "PDF, .docx", "XIESHANG_SMTP_HOST": "mail",
        "XIESHANG_SMTP_PORT": "587", "XIESHANG_SMTP_STARTTLS": "yes", "XIESHANG_BASE_URL": "https://x.test/",
        "XIESHANG_SMTP_PASSWORD": "secret", "XIESHANG_SECRET_KEY": "k"})
    assert given == Settings(database_url="postgresql://db/x", secret_key="k", due_soon_days=5,
                             files_dir=Path("/srv/f"), upload_max_mb=2.5, upload_types=frozenset({"pdf", "docx"}),
                             smtp=SmtpSettings(host="mail", port=587, starttls=True, base_url="https://x.test",
                                               password="secret"))
    assert "secret" not in repr(given) and "'k'" not in repr(given)


def test_unset_or_malformed_values_keep_their_defaults():
    assert Settings.from_mapping({}) == Settings()
    odd = Settings.from_mapping({"XIESHANG_DUE_SOON_DAYS": "drei", "XIESHANG_UPLOAD_MAX_MB": "-1",
                                 "XIESHANG_SMTP_HOST": " ", "XIESHANG_SMTP_PORT": "x"})
    assert odd == Settings()
    assert Settings.from_mapping({"XIESHANG_SMTP_HOST": "m", "XIESHANG_SMTP_PORT": "x"}).smtp.port == 25


def test_the_engine_reads_them_from_the_session(session):
    assert settings.of(session) == Settings() and mailer.settings_for(session) is None
    settings.use(session, Settings(due_soon_days=7, smtp=SmtpSettings(host="mail")))
    assert worklist.soon_days_default(session) == 7 and mailer.settings_for(session).host == "mail"


def test_sessions_carry_the_settings_they_were_made_with(engine_):
    from engine.db import make_sessionmaker

    given = Settings(due_soon_days=1)
    with make_sessionmaker(engine_, given)() as one, make_sessionmaker(engine_, given)() as two:
        settings.use(two, Settings(due_soon_days=2))
        assert settings.of(one).due_soon_days == 1 and settings.of(two).due_soon_days == 2


def test_no_engine_module_reads_the_environment():
    readers = [str(path.relative_to(ENGINE)) for path in ENGINE.rglob("*.py")
               if re.search(r"os\.environ|getenv|environ\[", path.read_text(encoding="utf-8"))]
    assert readers == []
