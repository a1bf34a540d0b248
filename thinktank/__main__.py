import os
import sys

from thinktank.cli import main

try:
    sys.exit(main())
except BrokenPipeError:
    # The reader went away (as with `| head`): stop quietly, as command-line tools do.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(0)
