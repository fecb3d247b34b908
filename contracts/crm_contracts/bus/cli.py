"""``crm-bus``: declare the topology, inspect and replay dead letters."""

from __future__ import annotations

import argparse
import sys

from .. import config
from . import deadletters, topology


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crm-bus", description=__doc__)
    parser.add_argument("--amqp-uri", default=config.amqp_uri())
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("setup", help="declare exchanges, queues, bindings and dead-letter queues")
    dlq = commands.add_parser("dlq", help="dead-letter queues")
    dlq_commands = dlq.add_subparsers(dest="dlq_command", required=True)
    dlq_commands.add_parser("list", help="how many messages are parked per consumer queue")
    show = dlq_commands.add_parser("show", help="print parked messages of one queue")
    show.add_argument("queue")
    show.add_argument("--limit", type=int, default=20)
    rep = dlq_commands.add_parser("replay", help="move parked messages back to their queue")
    rep.add_argument("queue")
    rep.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)

    if args.command == "setup":
        counts = topology.setup(args.amqp_uri)
        print(f"bus ready: {counts['exchanges']} exchanges, {counts['queues']} queues")
    elif args.dlq_command == "list":
        for queue, depth in deadletters.depths(args.amqp_uri).items():
            print(f"{depth:8d}  {queue}")
    elif args.dlq_command == "show":
        for parked in deadletters.peek(args.amqp_uri, args.queue, args.limit):
            print(f"[{parked.reason}] {parked.routing_key}: {parked.error}\n    {parked.body}")
    else:
        print(f"replayed {deadletters.replay(args.amqp_uri, args.queue, args.limit)} message(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
