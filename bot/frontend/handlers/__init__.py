"""Command and button handlers, one module per feature; ``bot.frontend.app`` wires them.

Handlers are thin: parse the update, call a use case, render with the chat's texts, reply.
Who may call a handler is declared on it (``bot.frontend.access``).
"""
