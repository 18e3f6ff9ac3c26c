"""``python -m app`` behaves exactly like the ``sprintdeck`` command."""

import sys

from app.main import main

sys.exit(main())
