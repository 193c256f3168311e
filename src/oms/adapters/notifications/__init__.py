"""How notices leave oms: e-mail (SMTP or a local mailbox folder) and webhooks (HTTP)."""
