"""Exchange and queue names, derived with nameko's own formulas so both sides agree."""

from __future__ import annotations

DLX = "crm.dlx"
RPC_EXCHANGE = "nameko-rpc"


def event_exchange(source: str) -> str:
    return f"{source}.events"


def event_queue(source: str, routing_key: str, service: str, method: str) -> str:
    # nameko.events.EventHandler.setup, SERVICE_POOL handler type
    return f"evt-{source}-{routing_key}--{service}.{method}"


def dead_letter_queue(queue: str) -> str:
    return f"{queue}.dlq"


def queue_arguments(queue: str) -> dict[str, str]:
    """Arguments every consumer queue is declared with, by ``crm-bus setup`` and by the consumer.

    RabbitMQ refuses a redeclare with other arguments, so this is the only place they are made.
    """
    return {"x-dead-letter-exchange": DLX, "x-dead-letter-routing-key": queue}
