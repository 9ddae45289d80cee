"""The corpus module is imported by name (as the other test folders do with their helpers)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
