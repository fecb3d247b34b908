"""HTTP ingest for a TMS that cannot speak AMQP; events land on the same ``tms.events`` exchange."""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.exceptions import BadRequest

from .. import tms_ingest
from ..endpoint import ApiBlueprint
from ..runtime import runtime
from ..schemas import TmsAcceptedOut
from ..security import Access

blp = ApiBlueprint("tms", __name__, description="TMS event ingest")
TMS_ACCESS = Access(roles=("admin",), scopes=("tms",))


@blp.operation("POST", "/tms/events", response=TmsAcceptedOut, status=202, access=TMS_ACCESS,
               json_body=True, extra_responses=(400, 422, 503),
               headers=({"in": "header", "name": tms_ingest.TYPE_HEADER, "required": False,
                         "schema": {"type": "string"}, "description": "Routing key, if not in field `type`."},))
@blp.doc(requestBody=tms_ingest.request_body_doc())
def ingest_tms_event(caller: Any) -> dict[str, Any]:
    """Validate one TMS event with the contract schema and publish it to `tms.events` (202).

    The event is published as sent, normalised (decimal strings, RFC 3339 times); consumers dedupe
    by `event_id`, so a retried post is harmless.
    """
    body = request.get_json(silent=False)
    if not isinstance(body, dict):
        raise BadRequest("The body must be one JSON object.")
    routing_key = tms_ingest.routing_key_for(body, request.headers.get(tms_ingest.TYPE_HEADER))
    event = tms_ingest.validate_event(routing_key, body)
    runtime().tms.publish(routing_key, event)
    return {"event_id": event["event_id"], "type": routing_key, "status": "accepted"}
