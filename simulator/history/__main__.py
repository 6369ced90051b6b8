"""`python -m simulator.history`: the `history` command on its own."""

import sys

from simulator.history.cli import main

sys.exit(main())
