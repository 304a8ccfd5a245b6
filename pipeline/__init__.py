"""callqa analysis library: audio, voice activity, speech-to-text, transcript, indicators.

Plain Python with no orchestration imports, so every step can be tested on its own and
wrapped by `flows/` for the nightly batch.
"""

__version__ = "0.1.0"
