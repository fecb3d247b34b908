"""Request and response bodies shared by the gateway (HTTP + OpenAPI) and the owning service (RPC).

Inputs reject unknown fields (422), outputs describe what a front end receives. One schema per job,
so the document the gateway serves is the rule the service enforces.
"""
