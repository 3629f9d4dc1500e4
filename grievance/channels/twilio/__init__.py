"""Twilio SMS and WhatsApp: webhooks in, REST API out."""
