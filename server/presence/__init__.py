"""Liveness of server processes (heartbeats) and who is in which consultation room, kept in
PostgreSQL so that every process sees the others' connections."""
