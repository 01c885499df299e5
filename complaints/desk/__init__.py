"""The agent and supervisor desk: queues, search, working a complaint."""
