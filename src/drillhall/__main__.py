"""``python -m drillhall``."""

from drillhall.cli.main import main

main()
