"""The gateway's own data: users, API keys, idempotency keys and the user-event outbox."""
