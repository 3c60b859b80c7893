"""reglab: the small PyTorch library behind "Regularization, Reproduced".

Importing it does nothing but import: no seeding, no threads, no global settings.
"""
__version__ = "0.1.0"
