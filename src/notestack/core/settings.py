"""The one place that reads the environment: every knob is a ``NOTESTACK_`` variable."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import limits
from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_DATA_DIR = REPO_ROOT / "data"
MIN_SECRET_KEY_LENGTH = 32
SECRET_KEY_FILE = "secret_key"
ACCESS_COOKIE = "AccessToken"


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    # hide_input_in_errors: a refused setting (a weak secret key) is never echoed in an error.
    model_config = SettingsConfigDict(
        env_prefix="NOTESTACK_", extra="ignore", hide_input_in_errors=True
    )

    environment: Literal["development", "production", "test"] = "development"
    instance_name: str = Field(default="", description="Shown by /readyz; defaults to host:pid.")
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = ""
    database_replica_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Connections per worker and database, opened as needed and then kept.
    database_pool_size: int = Field(default=20, ge=1, le=200)
    database_connect_timeout_seconds: float = Field(default=3.0, gt=0)
    # A request that cannot get a pooled connection this soon is answered 503 (busy).
    database_pool_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    # No statement (nor a commit waiting for the synchronous standby) waits longer than this.
    database_command_timeout_seconds: float = Field(default=10.0, gt=0)
    replica_max_lag_bytes: int = Field(default=16 * 1024 * 1024, ge=0)
    replica_max_lag_seconds: float = Field(default=10.0, ge=0)
    redis_url: str = ""
    # host:port of Redis Sentinels: when set, the cache asks them where the primary named
    # ``redis_sentinel_master`` is (``redis_url`` then only gives the database and password).
    redis_sentinels: Annotated[list[str], NoDecode] = Field(default_factory=list)
    redis_sentinel_master: str = "notestack"
    cache_ttl_seconds: int = Field(default=300, ge=1)
    read_your_writes_seconds: int = Field(default=30, ge=1)
    secret_key: str = ""
    token_lifetime_seconds: int = Field(default=7 * 24 * 3600, ge=60)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    cookie_secure: bool = False
    cookie_samesite: Literal["lax", "strict", "none"] = "lax"
    frontend_dist: Path = REPO_ROOT / "frontend" / "dist"
    asset_base_url: str = ""
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["127.0.0.1"])
    drain_seconds: float = Field(default=0.0, ge=0, le=60)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_import_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    prometheus_multiproc_dir: str = Field(
        default="",
        validation_alias=AliasChoices("NOTESTACK_METRICS_DIR", "PROMETHEUS_MULTIPROC_DIR"),
    )
    log_level: str = "INFO"
    log_json: bool = True
    # Exposure (production turns these off unless asked).
    expose_docs: bool | None = Field(
        default=None, description="Serve /docs, /redoc, /openapi.json (default: not in production)"
    )
    metrics_token: str = Field(
        default="", description="Bearer token /metrics requires (production: no token, no metrics)"
    )
    max_header_bytes: int = Field(default=16 * 1024, ge=1024)
    # Throttling (limits' rate strings: "5/15 minutes", several separated by ";").
    throttle_login_account: str = "5/15 minutes;10/hour;20/day"
    throttle_login_ip: str = "20/minute;200/day"
    throttle_signup_ip: str = "5/hour;20/day"
    password_hash_concurrency: int = Field(
        default=0, ge=0, le=64, description="argon2 hashes at once per worker; 0: the CPU count"
    )
    # Overload (docs/operations.md, "Sizing for overload"): per worker process, at most
    # ``max_requests_in_flight`` requests are served at once and ``admission_queue`` more wait
    # up to ``admission_wait_seconds`` for a turn; anything beyond gets 503 with Retry-After.
    max_requests_in_flight: int = Field(default=32, ge=1, le=10_000)
    admission_queue: int = Field(default=128, ge=0, le=100_000)
    admission_wait_seconds: float = Field(default=1.0, ge=0, le=30)
    # Fair share: requests one account may make in a fixed window, counted across every
    # instance (Redis; per worker process on the embedded default). Beyond it: 429.
    user_request_budget: str = "300/10 seconds"
    # Quotas and bounded work.
    max_notes_per_user: int = Field(default=10_000, ge=1)
    max_note_bytes_per_user: int = Field(default=50 * 1024 * 1024, ge=1024)
    max_list_bytes: int = Field(default=2 * 1024 * 1024, ge=64 * 1024)
    cache_max_entry_bytes: int = Field(default=512 * 1024, ge=1024)
    # Nothing lost: trash, history, events.
    trash_retention_days: int = Field(default=30, ge=1)
    history_keep: int = Field(default=50, ge=1, le=1000)
    events_retention_hours: int = Field(default=72, ge=1)
    # Live updates (Server-Sent Events).
    events_max_streams_per_user: int = Field(default=10, ge=1)
    events_max_streams_per_process: int = Field(default=2000, ge=1)
    events_heartbeat_seconds: float = Field(default=15.0, gt=0, le=300)

    @field_validator(
        "database_replica_urls", "cors_origins", "trusted_proxies", "redis_sentinels", mode="before"
    )
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator(
        "throttle_login_account", "throttle_login_ip", "throttle_signup_ip", "user_request_budget"
    )
    @classmethod
    def _rates(cls, value: str) -> str:
        try:
            limits.parse_many(value)
        except ValueError:
            raise ValueError(
                f"not a rate such as '5/15 minutes' or '20/minute;200/day': {value!r}"
            ) from None
        return value

    @field_validator("cookie_samesite", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _defaults_and_checks(self) -> Settings:
        """Every problem at once, so a refused start says all that must change."""
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'notestack.db'}"
        problems = []
        if self.cookie_samesite == "none" and not self.cookie_secure:
            problems.append("NOTESTACK_COOKIE_SAMESITE=none requires NOTESTACK_COOKIE_SECURE=true")
        if self.environment == "production" and not self.cookie_secure:
            problems.append(
                "NOTESTACK_ENVIRONMENT=production requires NOTESTACK_COOKIE_SECURE=true (the "
                "session cookie must be Secure, and is then named __Host-AccessToken)"
            )
        if len(limits.parse_many(self.user_request_budget)) != 1:
            problems.append(
                "NOTESTACK_USER_REQUEST_BUDGET is one rate, such as '300/10 seconds' "
                f"(got {self.user_request_budget!r})"
            )
        if self.secret_key:
            problems += _secret_problems(self.secret_key)
        elif not self.is_embedded_default:
            problems.append(
                "NOTESTACK_SECRET_KEY is required outside the embedded SQLite default "
                f"(at least {MIN_SECRET_KEY_LENGTH} random characters)"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @field_validator("redis_sentinels")
    @classmethod
    def _host_ports(cls, value: list[str]) -> list[str]:
        for item in value:
            host, _, port = item.rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"NOTESTACK_REDIS_SENTINELS: {item!r} is not host:port")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def cookie_name(self) -> str:
        """``__Host-`` binds a Secure cookie to this exact origin (no Domain, Path=/)."""
        return f"__Host-{ACCESS_COOKIE}" if self.cookie_secure else ACCESS_COOKIE

    @property
    def docs_exposed(self) -> bool:
        if self.expose_docs is not None:
            return self.expose_docs
        return self.environment != "production"

    @property
    def user_budget(self) -> tuple[int, int]:
        """(requests, window in seconds) of ``user_request_budget``."""
        item = limits.parse(self.user_request_budget)
        return item.amount, item.get_expiry()

    @property
    def is_embedded_default(self) -> bool:
        """SQLite in development or test: the one-command laptop setup."""
        return self.is_sqlite and self.environment != "production"

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once and kept in the data directory."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / SECRET_KEY_FILE
        self.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("x", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(48))
            path.chmod(0o600)
        except FileExistsError:
            pass
        key = path.read_text(encoding="utf-8").strip()
        _check_secret_strength(key)
        return key


def _secret_problems(key: str) -> list[str]:
    """Never quotes the key, not even in part."""
    weak = {"secret", "changeme", "change-me", "password", "notestack"}
    if len(key) < MIN_SECRET_KEY_LENGTH or key.lower() in weak or len(set(key)) < 10:
        return [
            f"NOTESTACK_SECRET_KEY is too weak: use at least {MIN_SECRET_KEY_LENGTH} random "
            "characters (for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        ]
    return []


def _check_secret_strength(key: str) -> None:
    problems = _secret_problems(key)
    if problems:
        raise ValueError(problems[0])


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
