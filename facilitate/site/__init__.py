"""The service's own pages: the accessibility statement the municipality publishes."""
