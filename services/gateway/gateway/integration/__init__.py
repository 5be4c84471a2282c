"""The integration surface for systems that cannot speak Kafka: the HTTP feed and webhooks."""
