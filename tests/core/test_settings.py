from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from notestack.core.redis_client import RedisTarget
from notestack.core.settings import Settings

STRONG = "Zq8w-strong-secret-key-4f1c9e0b7a6d5c3b2a19"


def test_embedded_default_is_sqlite_in_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'notestack.db'}"
    assert settings.is_embedded_default


def test_generated_secret_key_is_kept(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).resolved_secret_key()
    second = Settings(data_dir=tmp_path).resolved_secret_key()
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_secret_key_is_required_outside_the_embedded_default() -> None:
    with pytest.raises(ValidationError, match="NOTESTACK_SECRET_KEY is required"):
        Settings(database_url="postgresql+asyncpg://db/notestack")
    with pytest.raises(ValidationError, match="NOTESTACK_SECRET_KEY is required"):
        Settings(environment="production", cookie_secure=True)
    assert (
        Settings(database_url="postgresql+asyncpg://db/x", secret_key=STRONG).secret_key == STRONG
    )


@pytest.mark.parametrize("weak", ["changeme", "short-key", "a" * 40, "secret"])
def test_weak_secret_keys_are_refused(weak: str) -> None:
    with pytest.raises(ValidationError, match="too weak"):
        Settings(secret_key=weak)


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTESTACK_DATABASE_URL", "postgresql+asyncpg://u@h/db")
    monkeypatch.setenv("NOTESTACK_SECRET_KEY", STRONG)
    monkeypatch.setenv("NOTESTACK_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("NOTESTACK_COOKIE_SECURE", "true")
    monkeypatch.setenv("NOTESTACK_COOKIE_SAMESITE", "Strict")
    monkeypatch.setenv(
        "NOTESTACK_DATABASE_REPLICA_URLS", "postgresql+asyncpg://r1/db,postgresql+asyncpg://r2/db"
    )
    settings = Settings()
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.cookie_secure is True and settings.cookie_samesite == "strict"
    assert len(settings.database_replica_urls) == 2


def test_samesite_none_needs_secure() -> None:
    with pytest.raises(ValidationError, match="requires NOTESTACK_COOKIE_SECURE"):
        Settings(cookie_samesite="none")


def test_redis_sentinels_turn_the_cache_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTESTACK_REDIS_SENTINELS", "127.0.0.1:26390, 127.0.0.1:26391")
    monkeypatch.setenv("NOTESTACK_REDIS_SENTINEL_MASTER", "main")
    settings = Settings()
    assert settings.redis_sentinels == ["127.0.0.1:26390", "127.0.0.1:26391"]
    assert settings.redis_sentinel_master == "main"
    assert RedisTarget.from_settings(settings).configured
    assert not RedisTarget.from_settings(Settings(redis_sentinels=[])).configured
    target = RedisTarget.from_settings(settings)
    assert target.limits_uri() == "async+redis+sentinel://127.0.0.1:26390,127.0.0.1:26391/main"
    with pytest.raises(ValidationError, match="not host:port"):
        Settings(redis_sentinels=["nonsense"])
