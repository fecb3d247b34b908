"""The service chassis: database unit of work with outbox and inbox, reliable event handlers,
caller identity, metrics and health. Shared by every service so each job is written once."""
