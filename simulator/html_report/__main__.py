"""`python -m simulator.html_report`: the `report` command on its own."""

import sys

from simulator.html_report.cli import main

sys.exit(main())
