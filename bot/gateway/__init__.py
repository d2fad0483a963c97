"""The aiohttp gateway: owns the channels, the conversation record and who answers."""
