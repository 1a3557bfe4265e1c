"""The subcommands of `digestbot`, one module per group."""
