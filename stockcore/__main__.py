"""`python -m stockcore ...`: see stockcore.cli."""

import sys

from stockcore.interfaces.cli import main

if __name__ == "__main__":
    sys.exit(main())
