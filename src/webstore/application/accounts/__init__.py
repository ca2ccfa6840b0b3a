"""Use cases of accounts: sign-up, login sessions, users, passwords, login throttling, who is
acting."""
