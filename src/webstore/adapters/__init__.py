"""Adapters: the ports of ``webstore.application`` made real (or fake, in memory)."""
