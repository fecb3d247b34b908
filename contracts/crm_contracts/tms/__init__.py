"""Publishing TMS events: the publisher a TMS (or the gateway's HTTP ingest) uses, and a simulator."""
