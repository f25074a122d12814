"""Keeping people informed (docs/notifications.md): a transactional outbox, the channels that deliver it,
case messages, read receipts of notices (电子送达) and webhooks. No Flask here."""
