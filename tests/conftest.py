import sys
from pathlib import Path

# `from helpers import ...` works however pytest is started.
sys.path.insert(0, str(Path(__file__).parent))
