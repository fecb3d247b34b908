"""Shared contracts of the logistics CRM: events, bus topology, identity, errors and the service chassis."""
