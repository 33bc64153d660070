"""The kitchen simulator: replays an order stream through a SimPy kitchen into the shared database."""
