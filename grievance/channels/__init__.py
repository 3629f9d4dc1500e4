"""How messages enter and leave: one protocol, one registry, one module per channel."""
