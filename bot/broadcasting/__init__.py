"""Sending to many: the broadcast engine, what a notice says, reminders, the send budget."""
