"""Exceptions raised by the library; the CLI turns each into one plain-English line."""

from __future__ import annotations


class LeadError(Exception):
    """Base class: raised when the tool cannot do what was asked, for a reason a user can fix."""


class LoadError(LeadError):
    """Raised when a jurisdiction file cannot be read as a YAML mapping (syntax, size, hostile)."""

    def __init__(self, file: str, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(f"{file}:{line}:{column}: {message}")
        self.file = file
        self.message = message
        self.line = line
        self.column = column


class OutputError(LeadError):
    """Raised when an output path would escape the output folder or overwrite a user's file."""


class TemplateError(LeadError):
    """Raised when a (possibly user-supplied) template cannot be found or rendered."""


class PdfEngineError(LeadError):
    """Raised when WeasyPrint cannot be loaded (usually: Pango is missing on Windows/macOS)."""
