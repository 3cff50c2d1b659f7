"""Builds the Lambda artefacts: the engine layer and the handler's function zip."""
