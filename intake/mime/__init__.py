"""MIME decoding and classification (pure, never raises): raw bytes -> DecodedMessage -> kind."""
