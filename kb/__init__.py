"""The case knowledge base: storage, services, command line and web interface."""
