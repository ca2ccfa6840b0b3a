"""The mail the store writes, and sending its outbox."""
