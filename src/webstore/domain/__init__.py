"""The shop's language in plain Python: entities, value objects and the rules they keep."""
