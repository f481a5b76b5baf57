"""The configuration: loaded once from TOML into frozen dataclasses, every choice and secret checked at start."""
