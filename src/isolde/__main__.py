from isolde.cli.main import main

raise SystemExit(main())
