"""One module per command group; ``mapper.cli`` attaches each module's ``app``."""
