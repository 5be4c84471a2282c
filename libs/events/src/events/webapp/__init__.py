"""What the two web apps (the staff desk and the customers' portal) share: the reader's language
and how dates and money read, the gateway's error answers as exceptions, request metrics."""
