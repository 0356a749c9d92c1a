from resmeta.cli import main

main()
