"""The Telegram transport: Updates become engine events, replies become Bot API calls.

Telegram types stop at this package; the engine and the flows never see them.
"""
