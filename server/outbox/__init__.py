"""The outbox: messages to people (SMS today) written in the same transaction as the change that causes
them, then handed to a sender. Generic: any domain may queue a message; none knows how it is sent."""
