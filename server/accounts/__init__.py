"""Accounts: registration, sign-in, sessions and roles, password hashing, and the users and
organisations an administrator creates."""
