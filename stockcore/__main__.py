"""`python -m stockcore ...`: see stockcore.cli."""

import sys

from stockcore.cli import main

if __name__ == "__main__":
    sys.exit(main())
