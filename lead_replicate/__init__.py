"""lead-replicate: turn a jurisdiction's LEAD plan into validated, signable documents."""

__version__ = "0.1.0"
