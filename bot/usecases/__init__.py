"""What the bot does, written once and free of Telegram: the handlers and the command line call these.

- ``runtime`` — settings, database and caches every use case runs against;
- ``publishing`` — parse, store and preview an article; ``reading`` — find articles, render digests;
- ``subscriptions`` — chats, their subscription, settings and followed sources;
- ``schedules`` — parsing schedules and timezones, the next digest time;
- ``following`` and ``polling`` — following feeds and pages; ``tick`` — the scheduler tick;
- ``stats`` — subscribers, articles and the outbox.
"""
