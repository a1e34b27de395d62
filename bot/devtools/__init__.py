"""Developer tooling: the Bot API emulator, the demo, synthetic data, the catalog extractor.

Never imported by the product (a test checks)."""
