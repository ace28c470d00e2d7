"""The customers REST API (registered on the project's router by customers.api.urls.register)."""
