"""Page and message texts, one module per area, each defining TEXTS = {key: (zh, en)}."""
