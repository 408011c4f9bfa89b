"""What an import answers: the report of what it added, skipped or could not read."""

from __future__ import annotations

from pydantic import BaseModel, Field

from notestack.core.openapi import ErrorEnvelope


class ImportProblem(BaseModel):
    """A record of the file that is not a note: where it is (a line of a JSON-lines file, a
    file of a zip, or a note's place in a JSON export) and why."""

    line: int | None = None
    file: str | None = None
    note: int | None = None
    message: str


class ImportReport(BaseModel):
    created: int = Field(description="Notes added")
    skipped: int = Field(description="Notes already here (the file was imported before)")
    errors: list[ImportProblem] = Field(description="Records that are not notes")


class ImportEnvelope(BaseModel):
    success: bool = True
    message: str
    report: ImportReport


class ImportRefusedEnvelope(ErrorEnvelope):
    """A 422: the usual error body; when records of the file were not notes (nothing was
    imported), the whole report too."""

    report: ImportReport | None = None
