"""``python -m b2b_core.ingest FILE...``: the command-line import (``b2b_core.ingest.command``)."""

import sys

from b2b_core.ingest.command import main

sys.exit(main())
