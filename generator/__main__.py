"""`python -m generator` is the `incidents` command."""

from .cli import main

main()
