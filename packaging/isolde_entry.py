"""Entry point of the bundled app: the same `isolde` as the console script (the editor with no
command or a path, the headless commands otherwise)."""

import multiprocessing
import sys

if __name__ == "__main__":
    # A spawned worker (the speech denoiser's, dsp/denoised_stream.py) re-runs this executable:
    # freeze_support runs the worker's task and exits instead of starting the app again.
    multiprocessing.freeze_support()
    from isolde.cli.main import main

    sys.exit(main())
