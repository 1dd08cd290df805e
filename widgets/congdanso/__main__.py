from congdanso.cli import main

raise SystemExit(main())
