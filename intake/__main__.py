import sys

from intake.cli.main import main

sys.exit(main())
