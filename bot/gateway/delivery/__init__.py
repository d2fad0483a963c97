"""Outbound delivery to the channels we push to: the outbox and its worker (`outbox`), and
what a channel's sender may answer (`senders`)."""
