"""`python -m stockcore ...`: the command line, see stockcore.interfaces.cli."""

import sys

from stockcore.interfaces.cli import main

if __name__ == "__main__":
    sys.exit(main())
