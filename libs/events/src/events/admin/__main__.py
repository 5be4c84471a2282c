from events.admin.cli import main

raise SystemExit(main())
