"""Socket.IO: the clinic's namespace (rooms, signal relay, chat), the live events it publishes for
the domains (live.py implements server.events.Events), and the bounded Redis manager."""
