"""The concierge assistant's own code: gateway, store, settings, inbox and services.

Rasa runs in a separate environment; nothing in this package is imported by it.
"""
