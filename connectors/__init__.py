"""One module per customer channel. Each turns platform traffic into InboundMessages for the
gateway's pipeline and delivers the replies back on the same channel."""
