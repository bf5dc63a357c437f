"""`python -m generator` is the `incidents` command."""

from incidents.cli import main

main()
