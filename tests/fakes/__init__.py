"""Test doubles shared by several test folders: the ports of ``bot.ports`` in memory."""
