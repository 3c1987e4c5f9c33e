"""Socket.IO: the clinic's namespace (rooms, signal relay, chat), the live events the domains
publish, the aiortc echo peer of the pre-call check, and the bounded Redis manager."""
