from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from notestack.auth.models import User
from notestack.core.text import StoredText

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
PASSWORD_MIN = 8
PASSWORD_MAX = 128

Password = Annotated[StoredText, Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)]


class RegisterIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    username: str = Field(
        min_length=3,
        max_length=30,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="3-30 of a-z 0-9 _ . - (stored lowercased)",
    )
    email: EmailStr
    password: Password
    name: StoredText | None = Field(default=None, min_length=1, max_length=100)

    @field_validator("username", mode="before")
    @classmethod
    def _normalise_username(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("username")
    @classmethod
    def _check_username(cls, value: str) -> str:
        if not USERNAME_PATTERN.match(value):
            raise ValueError(
                "may contain only letters, digits, '_', '.' and '-', "
                "starting with a letter or digit"
            )
        return value

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


class MessageEnvelope(BaseModel):
    success: bool = True
    message: str
