"""Finding place names in text (matcher) and choosing the place each one means (resolver)."""
