"""The journal core: the hash-chained journal, how a service call becomes a journaled action,
the clock, domain errors, the checks of what people type, files kept by hash, and the course's own
events. Every service of the world stands on these."""
