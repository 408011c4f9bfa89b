from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from notestack.auth.identifiers import (
    USERNAME_MAX,
    USERNAME_MIN,
    clean_username,
    normalize_email,
)
from notestack.auth.models import User
from notestack.core.text import StoredText

PASSWORD_MIN = 8
PASSWORD_MAX = 128

Password = Annotated[StoredText, Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)]


def _email_before(value: Any) -> Any:
    return normalize_email(value) if isinstance(value, str) else value


class RegisterIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    username: StoredText = Field(
        min_length=USERNAME_MIN,
        max_length=USERNAME_MAX,
        description=(
            "3-30 visible characters, spaces allowed inside (trimmed; runs of spaces become "
            "one); unique regardless of case"
        ),
    )
    email: EmailStr = Field(description="Compared without case or character width")
    password: Password = Field(
        description="8-128 characters; refused when common or easy to guess, or when it "
        "contains the username or the email address"
    )
    name: StoredText | None = Field(default=None, min_length=1, max_length=100)

    @field_validator("username", mode="before")
    @classmethod
    def _clean_username(cls, value: Any) -> Any:
        return clean_username(value) if isinstance(value, str) else value

    _email = field_validator("email", mode="before")(_email_before)

    @field_validator("email")
    @classmethod
    def _lower_email(cls, value: str) -> str:
        return value.lower()

    @field_validator("name", mode="before")
    @classmethod
    def _strip_name(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    email: StoredText = Field(min_length=1, max_length=320)
    password: StoredText = Field(min_length=1, max_length=PASSWORD_MAX)

    _email = field_validator("email", mode="before")(_email_before)


class UserOut(BaseModel):
    id: str
    name: str
    username: str
    email: str
    role: str
    createdAt: datetime
    updatedAt: datetime


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "name": user.name,
        "username": user.username,
        "email": user.email,
        "role": user.role,
        "createdAt": user.created_at,
        "updatedAt": user.updated_at,
    }


class UserEnvelope(BaseModel):
    success: bool = True
    message: str
    user: UserOut


class LoginEnvelope(UserEnvelope):
    token: str
