"""The domain: what the assistant and the concierge do with orders, repairs, the catalogue,
boutiques, identity checks, preferences and privacy requests.

Services see the store and the settings, nothing else: the gateway, the inbox and the
actions call them, and none of them is imported here.
"""
