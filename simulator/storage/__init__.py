"""The session store (SQLite, WAL), attempt copies, liveness and repair."""
