"""`python3 -m nessmap_analysis FILE.h5 KIND ...`: the nessmap-plot command (analysis/nessmap-plot
runs this)."""
import sys

from .cli import main

sys.exit(main())
