"""`python -m simulator.report`: the `report` command on its own."""

import sys

from simulator.report.cli import main

sys.exit(main())
