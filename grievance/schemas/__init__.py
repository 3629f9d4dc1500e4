"""marshmallow schemas: webhook payloads, API input and output."""
