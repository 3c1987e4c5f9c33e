"""The waiting list: joining and leaving, positions and waits, doctors' claims and automatic
assignment, and the periodic upkeep (grace periods, no-shows, overdue alerts, expired sessions)."""
