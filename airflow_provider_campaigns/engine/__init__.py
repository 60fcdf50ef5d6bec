"""The engine room: what a task does, written once for every vendor (batches of stops, the wait, the result, the journal)."""
