"""Use cases of accounts: identity, users, passwords, login throttling, who is acting."""
