"""Bus naming, the subscription registry and the topology declared up front."""
