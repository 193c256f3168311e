"""Returns (RMA): the return aggregate, its state machine, reasons and the return policy."""
