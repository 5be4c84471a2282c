"""The notifications service: messages to customers by SMS, e-mail and WeChat, with their consent,
quiet hours, templates, provider adapters and delivery status in one place (decision 0021)."""
