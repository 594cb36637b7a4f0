"""Exceptions raised by the library; the CLI turns each into one plain-English line."""

from __future__ import annotations


class LeadError(Exception):
    """Base class: raised when the tool cannot do what was asked, for a reason a user can fix."""


class LoadError(LeadError):
    """Raised when a jurisdiction file cannot be read as a YAML mapping (syntax, size, hostile)."""

    def __init__(self, file: str, message: str, line: int = 1, column: int = 1,
                 fix: str = "") -> None:
        super().__init__(f"{file}:{line}:{column}: {message}")
        self.file = file
        self.message = message
        self.line = line
        self.column = column
        self.fix = fix  # how to correct it, when the problem says more than the generic advice


class OutputError(LeadError):
    """Raised when an output path would escape the output folder or overwrite a user's file."""


class TemplateError(LeadError):
    """Raised when a (possibly user-supplied) template cannot be found or rendered."""


class PdfEngineError(LeadError):
    """Raised when WeasyPrint cannot be loaded (usually: Pango is missing on Windows/macOS)."""


class DiffInputError(LeadError):
    """Raised when one side of ``diff`` cannot be read or has format errors (exit status 2).

    ``report`` is that side's report when it was read, so its findings can be shown.
    """

    def __init__(self, message: str, report: object = None) -> None:
        super().__init__(message)
        self.report = report


def os_error_text(path: object, exc: OSError) -> str:
    """One plain line for an operating-system failure on ``path``, saying what to do.

    The library's write paths translate OSError with this, so the CLI never has to call a
    full disk or a read-only folder "an unexpected problem".
    """
    import errno

    reason = exc.strerror or str(exc)
    advice = {
        errno.EACCES: "choose another folder, or change its permissions",
        errno.EPERM: "the folder may be read-only or immutable; choose another folder, "
                     "or change its permissions",
        errno.EROFS: "the disk is read-only; choose a folder on another disk",
        errno.ENAMETOOLONG: "the name is too long for this disk; choose a shorter name",
        errno.ENOSPC: "the disk is full; free some space and run the command again",
        errno.EDQUOT: "the disk quota is used up; free some space and run the command again",
        errno.ENOTDIR: "part of the path is a file, not a folder; choose another path",
        errno.EISDIR: "that is a folder; give a file name",
    }.get(exc.errno or 0, "check the path and run the command again")
    return f"{path}: cannot write ({reason}); {advice}"
