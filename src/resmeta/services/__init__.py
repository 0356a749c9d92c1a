"""What resmeta does, independent of HTTP."""
