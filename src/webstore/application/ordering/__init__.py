"""Use cases of orders: placing, listing, transitions, Idempotency-Key."""
