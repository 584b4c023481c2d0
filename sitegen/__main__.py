"""`python -m sitegen`: the same command as the `sitegen` console script."""

import sys

from .cli import main

sys.exit(main())
