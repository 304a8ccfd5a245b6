"""Speech-model provisioning and the home of the indicator rule packs (`models/rules/`)."""
