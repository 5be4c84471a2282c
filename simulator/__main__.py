from simulator.run import main

raise SystemExit(main())
