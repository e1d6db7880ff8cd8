//! Webhook deliveries: verification and typed events.
