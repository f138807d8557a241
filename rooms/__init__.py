"""The real-time engine: Socket.IO handlers, presence, timers and broadcasts."""
