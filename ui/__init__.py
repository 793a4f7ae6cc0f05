"""The chat UI. It calls qa's public API only."""
