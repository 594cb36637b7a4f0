"""Entry point for ``python -m lead_replicate``."""

from lead_replicate.cli import main

main()
