"""`python -m distilabel_synthesizrr.cli`."""

import sys

from distilabel_synthesizrr.cli import main

sys.exit(main())
