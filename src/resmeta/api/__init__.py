"""The HTTP layer: parameters, routes, errors. Thin: the work happens in services."""
