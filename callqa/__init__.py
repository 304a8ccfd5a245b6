"""callqa: quality-of-service scoring for recorded police contact-centre calls.

One import name for four folders (docs/architecture.md): `callqa.pipeline` (pipeline/, the analysis
library: audio in, result out), `callqa.models` (models/, weights, rule packs, questionnaires),
`callqa.flows` (flows/, Prefect), and the application in callqa/ itself: the store, the batch, panels,
the review app and the CLI. Importing `callqa` imports nothing else, so every layer may.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("callqa")
except PackageNotFoundError:  # a checkout that was never installed
    __version__ = "0+unknown"
