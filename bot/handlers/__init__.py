"""Command and callback handlers, one module per feature; wiring is in bot.app."""
