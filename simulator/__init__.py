"""Voice interview simulator: rehearse customer-service interviews out loud, offline.

Importing the package loads nothing heavy (no audio library, no speech model).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
