"""Live events: what changed, fanned out to the open websockets of the inbox and the web
chat (`broadcast`), and the sockets themselves (`sockets`)."""
