"""`python -m callqa.cli` is `callqa`."""

from callqa.cli import main

raise SystemExit(main())
