"""Officers and admins: commands, digests on request, the staff flows' effects."""
