"""The entry points: the operator CLI, the offline console and the processes."""
