"""``python -m scanner`` runs the piiscan command line."""

from scanner.cli import main

main()
